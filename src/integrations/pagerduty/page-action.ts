import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database, TicketRow as TicketRecord } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { alertDedupKey, cycleOfStep, type AlertKey } from './alert-key';
import { PagerDutyRejected, type AlertPayload, type PagerDutyEvents, type Severity } from './events-client';
import { clockDueIn, type ClockName } from '../../../workflows/contract/ticket';
import type { ActionHandler } from '../integration-deps';
import { once } from '../../db/effects';
import type { RunActionInput } from '../../../workflows/contract/records';
import { rememberAlert, updateAlert } from './alert-links';
import { resolveAlert } from './resolve-alerts';
import { ticketUrl } from '../../core/links';
import { recordActionFailure } from '../../db/repositories/ticket-events';

const SEVERITY: Record<string, Severity> = { urgent: 'critical', high: 'error', normal: 'warning', low: 'info' };
const CLOCK_LABEL: Record<ClockName, string> = { first_response: 'first response', resolution: 'resolution', next_reply: 'next reply', update: 'update' };
const MAX_SUMMARY = 1024;

export interface PageActionDeps {
  db: Kysely<Database>;
  events: PagerDutyEvents;
  publicUrl: string;
  log?: Logger;
}

type TicketRow = Pick<TicketRecord, 'id' | 'number' | 'subject' | 'priority' | 'status' | 'fr_met_at' | 'res_met_at'>;

/** Met clocks page nobody: a page that lost the race with the reply must not wake anyone. */
export function clockMet(t: Pick<TicketRow, 'status' | 'fr_met_at' | 'res_met_at'>, clock: ClockName): boolean {
  if (t.status === 'closed' || t.status === 'cancelled') return true;
  return clock === 'first_response' ? t.fr_met_at !== null : t.res_met_at !== null || t.status === 'solved';
}

export function alertPayload(t: TicketRow, input: RunActionInput, cycle: number, link: string): AlertPayload {
  const { dueAt, atRiskAt } = clockDueIn(input.sla, input.clock);
  const state = input.percent >= 100 ? 'breached' : 'at risk';
  const summary = `${t.number}: ${t.subject} (${CLOCK_LABEL[input.clock]} SLA at ${input.percent}%, ${state})`;
  return {
    summary: summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 1)}…` : summary,
    source: 'pacer',
    severity: SEVERITY[t.priority] ?? 'warning',
    timestamp: input.at,
    component: 'ticket',
    class: `sla.${input.clock}`,
    custom_details: {
      ticket_id: t.id,
      ticket_number: t.number,
      ticket_url: link,
      subject: t.subject,
      priority: t.priority,
      status: t.status,
      sla: { clock: input.clock, cycle, percent: input.percent, state, due_at: dueAt, at_risk_at: atRiskAt, step: input.stepId },
    },
  };
}

export function createPageAction(deps: PageActionDeps): ActionHandler {
  const { db, events } = deps;
  const loadTicket = (id: string) =>
    db.selectFrom('tickets').select(['id', 'number', 'subject', 'priority', 'status', 'fr_met_at', 'res_met_at']).where('id', '=', id).executeTakeFirst();

  return async (input) => {
    const key: AlertKey = { ticketId: input.ticketId, clock: input.clock, cycle: cycleOfStep(input.stepId) };
    const dedupKey = alertDedupKey(key);
    const ticket = await loadTicket(input.ticketId);
    if (!ticket) throw new Error(`ticket ${input.ticketId} has no record yet`);
    if (clockMet(ticket, input.clock)) return { status: 'skipped', detail: `${CLOCK_LABEL[input.clock]} clock already met: nobody paged` };

    const link = ticketUrl(deps.publicUrl, ticket.id);
    try {
      await once(db, `pagerduty:trigger:${input.ticketId}:${input.stepId}:${input.actionIndex}`, async () => {
        await rememberAlert(db, key, dedupKey, input.stepId);
        return events.trigger(dedupKey, alertPayload(ticket, input, key.cycle, link), [{ href: link, text: `Ticket ${ticket.number}` }]);
      });
    } catch (err) {
      if (err instanceof PagerDutyRejected) throw await recordRejection(deps, input, dedupKey, err);
      throw err;
    }

    // The clock may have been met while the trigger was in flight, after the resolve hook
    // looked for alerts: then this alert is ours to resolve.
    const now = await loadTicket(input.ticketId);
    if (now && clockMet(now, input.clock)) await resolveAlert(deps, input.ticketId, dedupKey, 'clock met while paging');
    return { status: 'done', detail: `paged PagerDuty (dedup key ${dedupKey})` };
  };
}

/** Puts the refusal on the timeline (under the action's own event id) and fails without retries. */
async function recordRejection(deps: PageActionDeps, input: RunActionInput, dedupKey: string, err: PagerDutyRejected): Promise<ApplicationFailure> {
  deps.log?.warn({ ticketId: input.ticketId, step: input.stepId, status: err.status, errors: err.errors }, 'PagerDuty rejected a page');
  await updateAlert(deps.db, input.ticketId, dedupKey, { status: 'rejected', error: err.message, errors: err.errors });
  await recordActionFailure(deps.db, input, err.message, { errors: err.errors });
  return ApplicationFailure.nonRetryable(err.message, 'PagerDutyRejected', { status: err.status, errors: err.errors });
}
