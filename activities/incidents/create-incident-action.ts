/**
 * The `create_incident` ladder action: a ticket's clock climbing past a step (say a P1 at
 * 120%) declares an incident with the ticket linked to it. The incident is created through
 * the same service as the API, under an Idempotency-Key named after the ticket, step and
 * action, so a retried activity finds the incident it already declared instead of a second one.
 */
import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { IncidentLifecycle } from '../../src/domain/incidents/incident-lifecycle';
import { IncidentService } from '../../src/domain/incidents/incident-service';
import { INCIDENT_IMPACTS, INCIDENT_SEVERITIES, type IncidentImpact, type IncidentSeverity } from '../../workflows/contract/incident';
import type { ActionHandler } from '../../src/integrations/integration-deps';
import type { Principal } from '../../src/core/principal';

const SEVERITY_OF_PRIORITY: Record<string, IncidentSeverity> = { urgent: 'critical', high: 'high', normal: 'medium', low: 'low' };
const LADDER: Principal = { role: 'agent', keyId: null, name: 'ladder', organizationId: null };

export function createIncidentAction(db: Kysely<Database>): ActionHandler {
  return async (input) => {
    const ticket = await db.selectFrom('tickets').select(['id', 'number', 'subject', 'priority', 'description']).where('id', '=', input.ticketId).executeTakeFirst();
    if (!ticket) throw new Error(`ticket ${input.ticketId} has no record yet`);
    const spec = input.action;
    const severity = INCIDENT_SEVERITIES.includes(spec.severity as IncidentSeverity) ? (spec.severity as IncidentSeverity) : (SEVERITY_OF_PRIORITY[ticket.priority] ?? 'high');
    const impact = INCIDENT_IMPACTS.includes(spec.impact as IncidentImpact) ? (spec.impact as IncidentImpact) : undefined;
    const ctx = Context.current();
    const service = new IncidentService(db, new IncidentLifecycle(ctx.client, ctx.info.taskQueue));
    const { incident } = await service.create(
      LADDER,
      {
        title: `${ticket.number}: ${ticket.subject}`.slice(0, 300),
        description: `Declared by the SLA ladder: the ticket's ${input.clock.replace('_', ' ')} clock reached ${input.percent}%.\n\n${ticket.description}`,
        severity,
        ...(impact && { impact }),
        responders: [],
        affectedComponents: [],
        sourceTicketId: ticket.id,
      },
      `ladder:${input.ticketId}:${input.stepId}:${input.actionIndex}`,
    );
    return { status: 'done', detail: `declared incident ${incident.number} (${severity})` };
  };
}
