/**
 * The append of a ticket's or an incident's events and their fan-out to webhook subscriptions:
 * one statement for both logs, which differ only in their table and column names.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema';
import type { PendingDelivery } from '../../../workflows/contract/records';
import { subscriptionWants } from './webhook-subscriptions';

type Db = Kysely<Database> | Transaction<Database>;

/** An event as either log stores it. */
export interface LoggedEvent {
  id: string;
  type: string;
  at: string;
  actor: string;
  visibility: string;
  data: unknown;
}

/** Each log's table, the column naming whose log it is, and the column of webhook_deliveries that points into it. */
const LOGS = {
  ticket: { events: 'ticket_events', owner: 'ticket_id', delivery: 'event_id' },
  incident: { events: 'incident_events', owner: 'incident_id', delivery: 'incident_event_id' },
} as const;

/**
 * Appends events (once each) and fans each out to the webhook subscriptions that want it.
 * Deliveries are rows too, so the set of deliveries for an event is fixed at its first write;
 * the answer is every delivery of these events not yet acknowledged, so a retried call
 * returns the same set. One idempotent statement, so no transaction is needed.
 */
export async function appendEvents(db: Db, log: keyof typeof LOGS, ownerId: string, events: readonly LoggedEvent[]): Promise<PendingDelivery[]> {
  return appendEventsOfMany(db, log, events.map((event) => ({ ownerId, event })));
}

/** appendEvents for events of several tickets (or incidents) at once: one statement however many owners. */
export async function appendEventsOfMany(db: Db, log: keyof typeof LOGS, entries: ReadonlyArray<{ ownerId: string; event: LoggedEvent }>): Promise<PendingDelivery[]> {
  if (entries.length === 0) return [];
  const events = entries.map((e) => e.event);
  const { events: table, owner, delivery } = LOGS[log];
  const ids = events.map((e) => e.id);
  // Rows a data-modifying CTE writes are invisible to the rest of its statement, hence the
  // UNION with what earlier attempts already wrote.
  const { rows } = await sql<{ id: string }>`
    with appended as (
      insert into ${sql.table(table)} (id, ${sql.ref(owner)}, type, at, actor, visibility, data)
      select * from unnest(
        ${ids}::text[], ${entries.map((e) => e.ownerId)}::uuid[], ${events.map((e) => e.type)}::text[],
        ${events.map((e) => e.at)}::timestamptz[], ${events.map((e) => e.actor)}::text[],
        ${events.map((e) => e.visibility)}::text[], ${events.map((e) => JSON.stringify(e.data))}::jsonb[])
      on conflict (id) do nothing
    ), wanted as (
      select e.id as event_id, s.id as subscription_id
      from unnest(${ids}::text[], ${events.map((e) => e.type)}::text[]) as e(id, type)
      join webhook_subscriptions s on s.active and ${subscriptionWants(sql.ref('e.type'))}
      -- Locked so a subscription deleted meanwhile is skipped (or waits for us) instead of
      -- failing the delivery's foreign key, which would refuse the change for good.
      for key share of s
    ), inserted as (
      insert into webhook_deliveries (id, subscription_id, ${sql.ref(delivery)})
      select event_id || '>' || subscription_id, subscription_id, event_id from wanted
      on conflict (id) do nothing
      returning id
    )
    select id from inserted
    union
    select id from webhook_deliveries where ${sql.ref(delivery)} = any(${ids}::text[]) and delivered_at is null`.execute(db);
  return rows.map((r) => ({ deliveryId: r.id }));
}
