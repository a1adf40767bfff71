/**
 * Which Slack messages a ticket's ladder has posted, kept in ticket_links (kind 'slack',
 * external key "<channel id>:<ts>"), with what the message said about the SLA so a click
 * can redraw it. Written by the ladder action, read by the interactivity endpoint.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { ClockName } from '../../../workflows/contract/ticket';

export const LINK_KIND = 'slack';

export interface MessageLink {
  ticketId: string;
  channel: string;
  ts: string;
  stepId: string;
  actionIndex: number;
  clock: ClockName;
  percent: number;
  dueAt: string | null;
}

export function messageKey(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

export async function rememberMessage(db: Kysely<Database>, link: MessageLink): Promise<void> {
  const { ticketId, ...data } = link;
  await db
    .insertInto('ticket_links')
    .values({ ticket_id: ticketId, kind: LINK_KIND, external_key: messageKey(link.channel, link.ts), url: null, data: JSON.stringify(data) })
    .onConflict((oc) => oc.columns(['ticket_id', 'kind', 'external_key']).doNothing())
    .execute();
}

export async function findMessage(db: Kysely<Database>, channel: string, ts: string): Promise<MessageLink | null> {
  const row = await db
    .selectFrom('ticket_links')
    .select(['ticket_id', 'data'])
    .where('kind', '=', LINK_KIND)
    .where('external_key', '=', messageKey(channel, ts))
    .executeTakeFirst();
  if (!row) return null;
  const d = row.data;
  const clock = d.clock === 'resolution' ? 'resolution' : 'first_response';
  return {
    ticketId: row.ticket_id,
    channel,
    ts,
    stepId: String(d.stepId ?? ''),
    actionIndex: Number(d.actionIndex ?? 0),
    clock,
    percent: Number(d.percent ?? 0),
    dueAt: typeof d.dueAt === 'string' ? d.dueAt : null,
  };
}
