/**
 * Activities that write a ticket's record, comments and event log. Every write is
 * idempotent: rows are keyed by ids the workflow chose deterministically, and ticket
 * fields only move forward by state version, so retries and replays land once.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NewTicketRow } from '../src/db/schema';
import { ticketWorkflowId, type TicketFacts } from '../workflows/ticket/contract';
import type { HookRegistry } from './hooks';
import type { ApplyChangeInput, EventInput, InitTicketInput, PendingDelivery, SlaSnapshot } from './types';

type Db = Kysely<Database> | Transaction<Database>;

export function slaColumns(sla: SlaSnapshot) {
  return {
    fr_due_at: sla.frDueAt,
    fr_met_at: sla.frMetAt,
    fr_at_risk_at: sla.frAtRiskAt,
    res_due_at: sla.resDueAt,
    res_met_at: sla.resMetAt,
    res_at_risk_at: sla.resAtRiskAt,
    res_paused_since: sla.resPausedSince,
    nr_due_at: sla.nrDueAt ?? null,
    nr_at_risk_at: sla.nrAtRiskAt ?? null,
    nr_breaches: sla.nrBreaches ?? 0,
  };
}

/** The ticket row as first written, by the API or (if the API died first) by the workflow. */
export function newTicketRow(t: TicketFacts, policyId: string | null, sla: SlaSnapshot): NewTicketRow {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    description: t.description,
    priority: t.priority,
    status: t.status,
    channel: t.channel,
    category: t.category,
    requester_email: t.requesterEmail,
    requester_name: t.requesterName,
    assignee: t.assignee,
    organization_id: t.organizationId,
    policy_id: policyId,
    workflow_id: ticketWorkflowId(t.id),
    state_version: 0,
    created_at: t.createdAt,
    updated_at: t.createdAt,
    ...slaColumns(sla),
  };
}

export function createTicketRecordActivities(db: Kysely<Database>, hooks: HookRegistry) {
  return {
    /**
     * Makes sure the workflow's ticket exists (the API normally wrote it already), and tells
     * the workflow which event types this worker's integrations listen to.
     */
    async initTicketRecord(input: InitTicketInput): Promise<{ deliveries: PendingDelivery[]; hookTypes: string[]; events: EventInput[] }> {
      await db
        .insertInto('tickets')
        .values(newTicketRow(input.ticket, input.policyId, input.sla))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const events = [createdEvent(input)];
      return { deliveries: await insertEvents(db, input.ticket.id, events), hookTypes: hooks.types(), events };
    },

    async applyTicketChange(input: ApplyChangeInput): Promise<PendingDelivery[]> {
      return db.transaction().execute(async (tx) => {
        if (input.comment) {
          const c = input.comment;
          await tx
            .insertInto('comments')
            .values({ id: c.id, ticket_id: input.ticketId, author_type: c.authorType, author_name: c.authorName, body: c.body, public: c.public, created_at: c.at })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        }
        const f = input.fields;
        await tx
          .updateTable('tickets')
          .set({
            ...(f.status !== undefined && { status: f.status }),
            ...(f.priority !== undefined && { priority: f.priority }),
            ...(f.assignee !== undefined && { assignee: f.assignee }),
            ...(f.subject !== undefined && { subject: f.subject }),
            ...(f.description !== undefined && { description: f.description }),
            ...(f.category !== undefined && { category: f.category }),
            ...(f.policyId !== undefined && { policy_id: f.policyId }),
            ...(f.solvedAt !== undefined && { solved_at: f.solvedAt }),
            ...(f.closedAt !== undefined && { closed_at: f.closedAt }),
            ...slaColumns(input.sla),
            state_version: input.stateVersion,
            updated_at: input.at,
          })
          .where('id', '=', input.ticketId)
          .where('state_version', '<', input.stateVersion)
          .execute();
        return insertEvents(tx, input.ticketId, input.events);
      });
    },

    async recordEvents(input: { ticketId: string; events: EventInput[] }): Promise<PendingDelivery[]> {
      return insertEvents(db, input.ticketId, input.events);
    },
  };
}

function createdEvent(input: InitTicketInput): EventInput {
  const t = input.ticket;
  return {
    id: `${t.id}:created`,
    type: 'ticket.created',
    at: t.createdAt,
    actor: `customer:${t.requesterEmail}`,
    visibility: 'public',
    data: { number: t.number, subject: t.subject, priority: t.priority, channel: t.channel, organizationId: t.organizationId, sla: input.sla },
  };
}

/**
 * Appends events (once each) and fans each out to the webhook subscriptions that want it.
 * Deliveries are rows too, so the set of deliveries for an event is fixed at its first write;
 * the answer is every delivery of these events not yet acknowledged, so a retried call
 * returns the same set. One idempotent statement, so no transaction is needed.
 */
export async function insertEvents(db: Db, ticketId: string, events: EventInput[]): Promise<PendingDelivery[]> {
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
      join webhook_subscriptions s on s.active and (s.event_types ? '*' or s.event_types ? e.type)
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
