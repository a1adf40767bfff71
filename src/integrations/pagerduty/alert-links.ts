/**
 * Which PagerDuty alerts a ticket has opened, kept in ticket_links (kind 'pagerduty', the
 * dedup key as external key). The link is written before the trigger is sent, so a clock met
 * while the trigger is in flight still finds the alert to resolve.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { AlertKey } from './alert-key';
import type { ClockName } from '../../../workflows/contract/ticket';

export const LINK_KIND = 'pagerduty';

export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved' | 'rejected';

export interface AlertLink {
  dedupKey: string;
  clock: ClockName;
  cycle: number;
  status: AlertStatus;
}

/** Records (or re-opens) the alert of a clock cycle before its trigger goes out. */
export async function rememberAlert(db: Kysely<Database>, key: AlertKey, dedupKey: string, stepId: string): Promise<void> {
  const data = { clock: key.clock, cycle: key.cycle, status: 'triggered', lastStep: stepId };
  await db
    .insertInto('ticket_links')
    .values({ ticket_id: key.ticketId, kind: LINK_KIND, external_key: dedupKey, url: null, data: JSON.stringify(data) })
    .onConflict((oc) => oc.columns(['ticket_id', 'kind', 'external_key']).doUpdateSet({ data: sql`ticket_links.data || ${JSON.stringify(data)}::jsonb` }))
    .execute();
}

export async function updateAlert(db: Kysely<Database>, ticketId: string, dedupKey: string, patch: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('ticket_links')
    .set({ data: sql`data || ${JSON.stringify(patch)}::jsonb` })
    .where('ticket_id', '=', ticketId)
    .where('kind', '=', LINK_KIND)
    .where('external_key', '=', dedupKey)
    .execute();
}

/** Alerts of these clocks that PagerDuty may still hold open. */
export async function openAlerts(db: Kysely<Database>, ticketId: string, clocks: readonly ClockName[]): Promise<AlertLink[]> {
  const rows = await db.selectFrom('ticket_links').select(['external_key', 'data']).where('ticket_id', '=', ticketId).where('kind', '=', LINK_KIND).execute();
  return rows
    .map((r) => ({ dedupKey: r.external_key, clock: r.data.clock as ClockName, cycle: Number(r.data.cycle), status: r.data.status as AlertStatus }))
    .filter((a) => clocks.includes(a.clock) && (a.status === 'triggered' || a.status === 'acknowledged'));
}
