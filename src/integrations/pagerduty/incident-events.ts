/**
 * What a PagerDuty incident event means for a ticket. The incident key is the dedup key
 * Pacer triggered with, so it names the ticket and the clock; an acknowledgement becomes an
 * `acknowledge` signal (who and when, and no more paging for that clock), a resolution an
 * internal note — PagerDuty being done does not make the customer's problem solved.
 * Signals, not updates: the webhook must be answered within seconds.
 */
import crypto from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema';
import type { TicketLifecycle } from '../../domain/tickets/ticket-lifecycle';
import type { ClockName, TicketAction } from '../../../workflows/contract/ticket';
import { parseAlertDedupKey, parseIncidentAlertDedupKey } from './alert-key';
import type { IncidentLifecycle } from '../../domain/incidents/incident-lifecycle';
import type { IncidentAction } from '../../../workflows/contract/incident';

const reference = z.looseObject({ id: z.string().optional(), type: z.string().optional(), summary: z.string().nullish(), email: z.string().nullish() });

export const webhookDeliverySchema = z.looseObject({
  event: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().optional(),
    occurred_at: z.string().optional(),
    agent: reference.nullish(),
    data: z
      .looseObject({
        id: z.string().optional(),
        number: z.number().optional(),
        title: z.string().nullish(),
        html_url: z.string().nullish(),
        incident_key: z.string().nullish(),
      })
      .default({}),
  }),
});

export type IncidentEvent = z.infer<typeof webhookDeliverySchema>['event'];
export type IncidentOutcome = 'acknowledged' | 'noted' | 'ignored';

export interface IncidentEventDeps {
  db: Kysely<Database>;
  lifecycle: TicketLifecycle;
  /** Pacer incidents page with their own dedup keys; their acknowledgements and resolutions go back to them. */
  incidents?: IncidentLifecycle;
}

/** The ticket and clock an incident pages about, from its incident key, else from our links. */
export async function findAlertTicket(db: Kysely<Database>, incidentKey: string): Promise<{ ticketId: string; clock: ClockName } | null> {
  const parsed = parseAlertDedupKey(incidentKey);
  if (parsed) {
    const ticket = await db.selectFrom('tickets').select('id').where('id', '=', parsed.ticketId).executeTakeFirst();
    if (ticket) return { ticketId: ticket.id, clock: parsed.clock };
  }
  const link = await db.selectFrom('ticket_links').select(['ticket_id', 'data']).where('kind', '=', 'pagerduty').where('external_key', '=', incidentKey).executeTakeFirst();
  const clock = link?.data.clock;
  if (!link || (clock !== 'first_response' && clock !== 'resolution')) return null;
  return { ticketId: link.ticket_id, clock };
}

/**
 * The same PagerDuty event always maps to the same action id, so the workflow applies a
 * redelivery once. A UUID, because a note's action id becomes its comment id.
 */
function actionIdOf(eventId: string): string {
  const h = crypto.createHash('sha256').update(`pagerduty-event|${eventId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function agentName(event: IncidentEvent): string {
  const a = event.agent;
  return a?.summary || a?.email || a?.id || 'PagerDuty';
}

export async function handleIncidentEvent(deps: IncidentEventDeps, event: IncidentEvent): Promise<IncidentOutcome> {
  if (event.event_type !== 'incident.acknowledged' && event.event_type !== 'incident.resolved') return 'ignored';
  const incidentKey = event.data.incident_key;
  if (!incidentKey) return 'ignored';
  const pacerIncident = parseIncidentAlertDedupKey(incidentKey);
  if (pacerIncident) return deps.incidents ? handlePacerIncidentEvent(deps, deps.incidents, pacerIncident.incidentId, event) : 'ignored';
  const target = await findAlertTicket(deps.db, incidentKey);
  if (!target) return 'ignored';

  const who = agentName(event);
  const actionId = actionIdOf(event.id);
  let action: TicketAction;
  if (event.event_type === 'incident.acknowledged') {
    action = { kind: 'acknowledge', actionId, actor: { type: 'agent', name: who }, clock: target.clock, source: 'pagerduty' };
  } else {
    const incident = [event.data.number !== undefined ? `#${event.data.number}` : null, event.data.title ? `"${event.data.title}"` : null].filter(Boolean).join(' ');
    const link = event.data.html_url ? ` (${event.data.html_url})` : '';
    action = { kind: 'comment', actionId, actor: { type: 'system', name: 'pagerduty' }, public: false, body: `PagerDuty incident ${incident || incidentKey} was resolved by ${who}${link}.` };
  }
  try {
    await deps.lifecycle.signal(target.ticketId, action);
  } catch (err) {
    // The ticket's workflow has ended (closed or cancelled): nothing left to tell it.
    if (err instanceof WorkflowNotFoundError) return 'ignored';
    throw err;
  }
  await deps.db
    .updateTable('ticket_links')
    .set({
      url: event.data.html_url ?? null,
      data: sql`data || ${JSON.stringify({ status: event.event_type === 'incident.acknowledged' ? 'acknowledged' : 'resolved', incidentId: event.data.id ?? null, by: who })}::jsonb`,
    })
    .where('kind', '=', 'pagerduty')
    .where('ticket_id', '=', target.ticketId)
    .where('external_key', '=', incidentKey)
    .execute();
  return event.event_type === 'incident.acknowledged' ? 'acknowledged' : 'noted';
}

/**
 * A page of a Pacer incident was acknowledged or resolved in PagerDuty: the incident is
 * acknowledged (its acknowledgement clock stops, MTTA is recorded, paging stops) or resolved,
 * by the PagerDuty user, as a signal (the webhook answers at once; one that no longer applies
 * is ignored by the workflow).
 */
async function handlePacerIncidentEvent(deps: IncidentEventDeps, incidents: IncidentLifecycle, incidentId: string, event: IncidentEvent): Promise<IncidentOutcome> {
  const incident = await deps.db.selectFrom('incidents').select(['status', 'acknowledged_at']).where('id', '=', incidentId).executeTakeFirst();
  if (!incident) return 'ignored';
  // PagerDuty echoes what Pacer itself sent (an acknowledgement or resolution made here first): nothing new to say.
  if (event.event_type === 'incident.resolved' && (incident.status === 'resolved' || incident.status === 'closed')) return 'ignored';
  if (event.event_type === 'incident.acknowledged' && incident.acknowledged_at !== null) return 'ignored';
  const who = agentName(event);
  const actor = { type: 'agent' as const, name: who };
  const actionId = actionIdOf(event.id);
  const action: IncidentAction =
    event.event_type === 'incident.acknowledged'
      ? { kind: 'acknowledge', actionId, actor, source: 'pagerduty' }
      : { kind: 'update', actionId, actor, status: 'resolved', body: `Resolved in PagerDuty by ${who}${event.data.html_url ? ` (${event.data.html_url})` : ''}.`, public: false };
  try {
    await incidents.signal(incidentId, action);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'ignored';
    throw err;
  }
  await deps.db
    .updateTable('incident_links')
    .set({ url: event.data.html_url ?? null, data: sql`data || ${JSON.stringify({ status: event.event_type === 'incident.acknowledged' ? 'acknowledged' : 'resolved', incidentId: event.data.id ?? null, by: who })}::jsonb` })
    .where('kind', '=', 'pagerduty')
    .where('incident_id', '=', incidentId)
    .where('external_key', '=', event.data.incident_key!)
    .execute();
  return event.event_type === 'incident.acknowledged' ? 'acknowledged' : 'noted';
}
