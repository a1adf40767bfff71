/** Ticket reads: by id, and the filtered, cursor-paginated list (newest first). */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, TicketRow } from '../schema';

export interface TicketFilter {
  organizationId?: string;
  status?: string[];
  priority?: string[];
  assignee?: string;
  breached?: boolean;
  atRisk?: boolean;
  cursor?: { createdAt: string; id: string };
  limit: number;
}

type Eb = ExpressionBuilder<Database, 'tickets'>;

/**
 * A clock is breached once due has passed unmet, or when it was met after due.
 * Every comparison is guarded with IS NOT NULL so these are always true or false, never
 * NULL: a NULL would make NOT(breached) NULL too, hiding every unbreached ticket from the
 * at-risk list and from `breached=false`.
 */
export function breachedExpr(eb: Eb): Expression<SqlBool> {
  return eb.or([
    eb.and([eb('fr_met_at', 'is', null), eb('fr_due_at', 'is not', null), eb('fr_due_at', '<=', sql<Date>`now()`)]),
    eb.and([eb('fr_met_at', 'is not', null), eb('fr_due_at', 'is not', null), eb('fr_met_at', '>', eb.ref('fr_due_at'))]),
    eb.and([eb('res_met_at', 'is', null), eb('res_due_at', 'is not', null), eb('res_due_at', '<=', sql<Date>`now()`)]),
    eb.and([eb('res_met_at', 'is not', null), eb('res_due_at', 'is not', null), eb('res_met_at', '>', eb.ref('res_due_at'))]),
    // Next reply: the running cycle is past due, or an earlier cycle was answered late.
    eb.and([eb('nr_due_at', 'is not', null), eb('nr_due_at', '<=', sql<Date>`now()`)]),
    eb('nr_breaches', '>', 0),
  ]);
}

/** At risk: at least 80% of an unmet clock has elapsed, and nothing is breached yet (never NULL, as above). */
export function atRiskExpr(eb: Eb): Expression<SqlBool> {
  return eb.and([
    eb.not(breachedExpr(eb)),
    eb.or([
      eb.and([eb('fr_met_at', 'is', null), eb('fr_at_risk_at', 'is not', null), eb('fr_at_risk_at', '<=', sql<Date>`now()`)]),
      eb.and([eb('res_met_at', 'is', null), eb('res_at_risk_at', 'is not', null), eb('res_at_risk_at', '<=', sql<Date>`now()`)]),
      // The row holds only the running next-reply cycle's instants.
      eb.and([eb('nr_at_risk_at', 'is not', null), eb('nr_at_risk_at', '<=', sql<Date>`now()`)]),
    ]),
  ]);
}

export async function findTicket(db: Kysely<Database>, id: string, organizationId?: string | null): Promise<TicketRow | undefined> {
  let q = db.selectFrom('tickets').selectAll().where('id', '=', id);
  if (organizationId) q = q.where('organization_id', '=', organizationId);
  return q.executeTakeFirst();
}

export async function listTickets(db: Kysely<Database>, f: TicketFilter): Promise<TicketRow[]> {
  let q = db.selectFrom('tickets').selectAll();
  if (f.organizationId) q = q.where('organization_id', '=', f.organizationId);
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.priority?.length) q = q.where('priority', 'in', f.priority);
  if (f.assignee !== undefined) q = q.where('assignee', '=', f.assignee);
  if (f.breached !== undefined) q = q.where((eb) => (f.breached ? breachedExpr(eb) : eb.not(breachedExpr(eb))));
  if (f.atRisk !== undefined) q = q.where((eb) => (f.atRisk ? atRiskExpr(eb) : eb.not(atRiskExpr(eb))));
  if (f.cursor) {
    const c = f.cursor;
    q = q.where((eb) => eb.or([eb('created_at', '<', new Date(c.createdAt)), eb.and([eb('created_at', '=', new Date(c.createdAt)), eb('id', '<', c.id)])]));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export function encodeCursor(row: Pick<TicketRow, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify({ createdAt: new Date(row.created_at).toISOString(), id: row.id })).toString('base64url');
}
