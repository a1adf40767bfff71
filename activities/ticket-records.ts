/**
 * Activities that write a ticket's record, comments and event log. Every write is
 * idempotent: rows are keyed by ids the workflow chose deterministically, and ticket
 * fields only move forward by state version, so retries and replays land once.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import type { HookRegistry } from './hooks';
import type { ApplyChangeInput, InitTicketInput, PendingDelivery } from '../workflows/contract/records';
import { createdEventId, type TicketCreatedEvent, type TicketEvent } from '../workflows/contract/events';
import { slaColumns, newTicketRow } from '../src/db/rows/ticket-rows';
import { insertEvents } from '../src/db/repositories/ticket-events';
import { observeRecordedEvents } from './ladder-metrics';
import { recordRating } from '../src/db/repositories/csat-surveys';
import { routeFromIntake, routingCauseOf, tellGroupCapacityFreed } from './routing-intake';
import { categoryBefore, intakeCategorizedEvents, recordCategoryEdit } from './ticket-categorization';

export function createTicketRecordActivities(db: Kysely<Database>, hooks: HookRegistry) {
  return {
    /**
     * Makes sure the workflow's ticket exists (the API normally wrote it already), and tells
     * the workflow which event types this worker's integrations listen to.
     */
    async initTicketRecord(input: InitTicketInput): Promise<{ deliveries: PendingDelivery[]; hookTypes: string[]; events: TicketEvent[] }> {
      await db
        .insertInto('tickets')
        .values(newTicketRow(input.ticket, input.policyId, input.sla))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const events: TicketEvent[] = [createdEvent(input), ...intakeCategorizedEvents(input)];
      const deliveries = await insertEvents(db, input.ticket.id, events);
      await routeFromIntake(db, input.ticket.id, 'new', 'created');
      return { deliveries, hookTypes: hooks.types(), events };
    },

    async applyTicketChange(input: ApplyChangeInput): Promise<PendingDelivery[]> {
      const deliveries = await db.transaction().execute(async (tx) => {
        if (input.comment) {
          const c = input.comment;
          await tx
            .insertInto('comments')
            .values({ id: c.id, ticket_id: input.ticketId, author_type: c.authorType, author_name: c.authorName, body: c.body, public: c.public, created_at: c.at })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        }
        const f = input.fields;
        const category = await categoryBefore(tx, input);
        const updated = await tx
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
          .executeTakeFirst();
        if (input.csat) await recordRating(tx, input.ticketId, input.csat);
        const categorized = await recordCategoryEdit(tx, input, category, Number(updated.numUpdatedRows) > 0);
        return insertEvents(tx, input.ticketId, [...input.events, ...categorized]);
      });
      // Once stored: a reopened or unassigned ticket goes back to routing, a solved or handed-on one frees its agent.
      const routing = routingCauseOf(input);
      if (routing.requeue) await routeFromIntake(db, input.ticketId, routing.requeue, String(input.stateVersion));
      if (routing.freed) await tellGroupCapacityFreed(db, input.ticketId);
      return deliveries;
    },

    /** The ladder's steps and the workflow's own skips are recorded through here, so their metrics are taken here. */
    async recordEvents(input: { ticketId: string; events: TicketEvent[] }): Promise<PendingDelivery[]> {
      const deliveries = await insertEvents(db, input.ticketId, input.events);
      observeRecordedEvents('ticket', input.events);
      return deliveries;
    },
  };
}

function createdEvent(input: InitTicketInput): TicketCreatedEvent {
  const t = input.ticket;
  return {
    id: createdEventId(t.id),
    type: 'ticket.created',
    at: t.createdAt,
    actor: `customer:${t.requesterEmail}`,
    visibility: 'public',
    data: { number: t.number, subject: t.subject, priority: t.priority, channel: t.channel, organizationId: t.organizationId, sla: input.sla },
  };
}
