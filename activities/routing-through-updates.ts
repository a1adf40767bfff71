/**
 * How routing workflows started before the `routing-signals-tickets` patch carry out their
 * decisions: each assignment and release updates the ticket's workflow from inside the activity
 * and waits for its answer. That wait needs the ticket workflow's record activity to find a free
 * slot on a worker whose slots these activities may all hold, so under load it stalls; runs
 * after the patch signal the ticket from the workflow instead. Kept until every run started
 * before the patch has continued as new (each pass's history stays under the limit, so a busy
 * group does within hours).
 */
import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { insertRoutingDecision } from '../src/db/repositories/routing-decisions';
import { insertEvents } from '../src/db/repositories/ticket-events';
import { actionEventId } from '../workflows/contract/events';
import { ROUTING_ACTOR } from '../workflows/contract/routing';
import type { RoutingActivities } from '../workflows/contract/routing-activities';
import { decideAssignments, releasedEvent, routedEvent } from './routing-decisions';
import { sendTicketAction } from './ticket-actions';

export function createRoutingThroughUpdatesActivities(db: Kysely<Database>): Pick<RoutingActivities, 'assignRoutedTicket' | 'releaseRoutedTicket'> {
  return {
    async assignRoutedTicket({ groupId, assignment: a, at }) {
      const [decided] = await decideAssignments(db, groupId, [a], at);
      if (decided !== 'decided') return { outcome: decided!, deliveries: [] };
      const landed = (await db.selectFrom('ticket_events').select('id').where('id', '=', actionEventId(a.ticketId, a.decisionId, 'assign')).executeTakeFirst()) !== undefined;
      const sent = landed
        ? ({ applied: true } as const)
        : await sendTicketAction(Context.current().client, db, a.ticketId, { kind: 'assign', actionId: a.decisionId, actor: ROUTING_ACTOR, assignee: a.agentEmail, ifUnassigned: true });
      if (!sent.applied) {
        await db.deleteFrom('routing_decisions').where('id', '=', a.decisionId).execute();
        return { outcome: 'taken', deliveries: [] };
      }
      return { outcome: 'assigned', deliveries: await insertEvents(db, a.ticketId, [routedEvent(groupId, a, at)]) };
    },

    async releaseRoutedTicket({ groupId, release: r, at }) {
      const sent = await sendTicketAction(Context.current().client, db, r.ticketId, { kind: 'assign', actionId: r.decisionId, actor: ROUTING_ACTOR, assignee: null, ifAssignee: r.agentEmail });
      if (!sent.applied) return { outcome: 'not_held', deliveries: [] };
      await insertRoutingDecision(db, { id: r.decisionId, ticketId: r.ticketId, groupId, kind: 'released', agentUserId: r.agentUserId, strategy: null, reason: { ...r.reason }, at: new Date(at) });
      return { outcome: 'released', deliveries: await insertEvents(db, r.ticketId, [releasedEvent(r, at)]) };
    },
  };
}
