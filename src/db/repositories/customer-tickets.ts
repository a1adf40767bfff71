/** The tickets of one organization as its customers list them in the portal. */
import type { Db, TicketRow } from '../schema';

const DONE = ['solved', 'closed', 'cancelled'];

/** The 200 most recently updated tickets: open ones, done ones or all, optionally matching `q` in subject, number or description. */
export async function listCustomerTickets(db: Db, organizationId: string, f: { show: 'open' | 'closed' | 'all'; q: string }): Promise<TicketRow[]> {
  let query = db.selectFrom('tickets').selectAll().where('organization_id', '=', organizationId);
  if (f.show === 'open') query = query.where('status', 'not in', DONE);
  if (f.show === 'closed') query = query.where('status', 'in', DONE);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('subject', 'ilike', like), eb('number', 'ilike', like), eb('description', 'ilike', like)]));
  }
  return query.orderBy('updated_at', 'desc').limit(200).execute();
}
