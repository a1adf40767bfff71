/** A ticket's event log and the webhook deliveries each event fans out to. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema';
import type { PendingDelivery, RunActionInput } from '../../../workflows/contract/records';
import { stepActionEventId, type ActionOutcomeData, type TicketEvent } from '../../../workflows/contract/events';
import { storableText } from '../../../workflows/contract/storable-text';
import { subscriptionWants } from './webhook-subscriptions';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Appends events (once each) and fans each out to the webhook subscriptions that want it.
 * Deliveries are rows too, so the set of deliveries for an event is fixed at its first write;
 * the answer is every delivery of these events not yet acknowledged, so a retried call
 * returns the same set. One idempotent statement, so no transaction is needed.
 */
export async function insertEvents(db: Db, ticketId: string, events: TicketEvent[]): Promise<PendingDelivery[]> {
  if (events.length === 0) return [];
  const ids = events.map((e) => e.id);
  // One statement: append the events, fan them out to subscriptions, answer with every
  // delivery still owed. Rows a data-modifying CTE writes are invisible to the rest of its
  // statement, hence the UNION with what earlier attempts already wrote.
  const { rows } = await sql<{ id: string }>`
    with appended as (
      insert into ticket_events (id, ticket_id, type, at, actor, visibility, data)
      select * from unnest(
        ${ids}::text[], ${events.map(() => ticketId)}::uuid[], ${events.map((e) => e.type)}::text[],
        ${events.map((e) => e.at)}::timestamptz[], ${events.map((e) => e.actor)}::text[],
        ${events.map((e) => e.visibility)}::text[], ${events.map((e) => JSON.stringify(e.data))}::jsonb[])
      on conflict (id) do nothing
    ), wanted as (
      select e.id as event_id, s.id as subscription_id
      from unnest(${ids}::text[], ${events.map((e) => e.type)}::text[]) as e(id, type)
      join webhook_subscriptions s on s.active and ${subscriptionWants(sql.ref('e.type'))}
      -- Locked so a subscription deleted meanwhile is skipped (or waits for us) instead of
      -- failing the delivery's foreign key, which would refuse the ticket's change for good.
      for key share of s
    ), inserted as (
      insert into webhook_deliveries (id, subscription_id, event_id)
      select event_id || '>' || subscription_id, subscription_id, event_id from wanted
      on conflict (id) do nothing
      returning id
    )
    select id from inserted
    union
    select id from webhook_deliveries where event_id = any(${ids}::text[]) and delivered_at is null`.execute(db);
  return rows.map((r) => ({ deliveryId: r.id }));
}

/**
 * The outcome of an action an integration refused for good, under the action's own event id
 * (the same id a success would have), so the timeline shows one outcome per action.
 */
export async function recordActionFailure(db: Kysely<Database>, input: RunActionInput, detail: string, extra: Pick<ActionOutcomeData, 'failure' | 'errors' | 'error'>): Promise<void> {
  await insertEvents(db, input.ticketId, [
    {
      id: stepActionEventId(input.ticketId, input.stepId, input.actionIndex),
      type: 'action.failed',
      at: input.at,
      actor: 'system:ladder',
      visibility: 'internal',
      data: { step: input.stepId, clock: input.clock, percent: input.percent, action: input.action, detail: storableText(detail), ...extra },
    },
  ]);
}
