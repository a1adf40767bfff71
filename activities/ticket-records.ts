/**
 * Activities that write a ticket's record, comments and event log. Every write is
 * idempotent: rows are keyed by ids the workflow chose deterministically, and ticket
 * fields only move forward by state version, so retries and replays land once.
 */
import { type Kysely, type Transaction } from 'kysely';
import type { Database } from '../src/db/schema';
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
  };
}

export function createTicketRecordActivities(db: Kysely<Database>) {
  return {
    /** Makes sure the workflow's ticket exists (the API normally wrote it already). */
    async initTicketRecord(input: InitTicketInput): Promise<PendingDelivery[]> {
      const t = input.ticket;
      return db.transaction().execute(async (tx) => {
        await tx
          .insertInto('tickets')
          .values({
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
            policy_id: input.policyId,
            workflow_id: input.workflowId,
            state_version: 0,
            created_at: t.createdAt,
            updated_at: t.createdAt,
            ...slaColumns(input.sla),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        return insertEvents(tx, t.id, [createdEvent(input)]);
      });
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
      return db.transaction().execute((tx) => insertEvents(tx, input.ticketId, input.events));
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
 * Deliveries are rows too, so the set of deliveries for an event is fixed at its first write.
 */
export async function insertEvents(tx: Db, ticketId: string, events: EventInput[]): Promise<PendingDelivery[]> {
  if (events.length === 0) return [];
  await tx
    .insertInto('ticket_events')
    .values(events.map((e) => ({ id: e.id, ticket_id: ticketId, type: e.type, at: e.at, actor: e.actor, visibility: e.visibility, data: JSON.stringify(e.data) })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const subscriptions = await tx.selectFrom('webhook_subscriptions').select(['id', 'event_types']).where('active', '=', true).execute();
  const rows = events.flatMap((e) =>
    subscriptions
      .filter((s) => s.event_types.includes('*') || s.event_types.includes(e.type))
      .map((s) => ({ id: `${e.id}>${s.id}`, subscription_id: s.id, event_id: e.id })),
  );
  if (rows.length === 0) return [];
  await tx.insertInto('webhook_deliveries').values(rows).onConflict((oc) => oc.column('id').doNothing()).execute();
  const pending = await tx
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('id', 'in', rows.map((r) => r.id))
    .where('delivered_at', 'is', null)
    .execute();
  return pending.map((p) => ({ deliveryId: p.id }));
}

