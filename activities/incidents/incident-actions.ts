/**
 * What an incident's ladder steps and reminders do in the world: each step's action runs
 * through the same action registry as a ticket's (page on-call through PagerDuty, announce in
 * Slack, notify or escalate to a role — recorded on the timeline, which webhooks and the
 * console read), the integrations settle their alerts, and a missing post-mortem is chased
 * by email. Each outcome is written under the action's own deterministic event id, so the
 * timeline shows it once.
 */
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import type { IntegrationConfig } from '../../src/integrations/config';
import type { IncidentAlertSettler } from '../../src/integrations/integration-deps';
import type { IncidentActionInput } from '../../workflows/contract/incident';
import { once } from '../../src/db/effects';
import { permanentFailureOf, storableText } from '../../src/db/failure-classes';
import type { ActionOutcome, PendingDelivery } from '../../workflows/contract/records';
import { stepActionEventId, type PostmortemReminderEvent } from '../../workflows/contract/events';
import type { ActionRegistry } from '../actions/registry';
import { insertIncidentEvents } from './incident-records';
import { incidentUrl } from '../../src/core/links';
import { countAction } from '../ladder-metrics';

export interface IncidentActionDeps {
  db: Kysely<Database>;
  config: IntegrationConfig;
  /** The same registry as ticket actions: each action type's incident handler. */
  actions: ActionRegistry;
  incidentAlerts: IncidentAlertSettler[];
}

export function createIncidentActionActivities(deps: IncidentActionDeps) {
  const { db, config } = deps;
  const mail = config.email ? nodemailer.createTransport({ url: config.email.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }) : null;

  return {
    async runIncidentAction(input: IncidentActionInput): Promise<ActionOutcome & { deliveries: PendingDelivery[] }> {
      let outcome: ActionOutcome;
      try {
        outcome = await deps.actions.runIncident(input);
      } catch (err) {
        // Failed for good: the outcome goes on the timeline under the action's own id, and the ladder goes on.
        const failure = permanentFailureOf(err);
        countAction('incident', input.action.type, failure ? 'failed' : 'error');
        if (!failure) throw err;
        await insertIncidentEvents(db, input.incidentId, [
          {
            id: stepActionEventId(input.incidentId, input.stepId, input.actionIndex),
            type: 'action.failed',
            at: input.at,
            actor: 'system:ladder',
            visibility: 'internal',
            data: { step: input.stepId, clock: input.clock, percent: input.percent, action: input.action, detail: storableText(failure.message), failure: failure.type ?? 'ApplicationFailure' },
          },
        ]);
        throw failure;
      }
      const deliveries = await insertIncidentEvents(db, input.incidentId, [
        {
          id: stepActionEventId(input.incidentId, input.stepId, input.actionIndex),
          type: outcome.status === 'skipped' ? 'action.skipped' : 'action.done',
          at: input.at,
          actor: 'system:ladder',
          visibility: 'internal',
          data: { step: input.stepId, clock: input.clock, percent: input.percent, action: input.action, detail: outcome.detail },
        },
      ]);
      countAction('incident', input.action.type, outcome.status);
      return { ...outcome, deliveries };
    },

    async settleIncidentAlerts(input: { incidentId: string; how: 'acknowledge' | 'resolve' }): Promise<{ settled: number }> {
      let settled = 0;
      for (const settle of deps.incidentAlerts) settled += await settle(input.incidentId, input.how);
      return { settled };
    },

    /** Records the reminder and mails the commander (their address, or the incident_commander role's). */
    async sendPostmortemReminder(input: { incidentId: string; event: PostmortemReminderEvent }): Promise<{ mailed: boolean; deliveries: PendingDelivery[] }> {
      const deliveries = await insertIncidentEvents(db, input.incidentId, [input.event]);
      const incident = await db.selectFrom('incidents').select(['id', 'number', 'title', 'severity', 'commander', 'resolved_at']).where('id', '=', input.incidentId).executeTakeFirstOrThrow();
      const to = incident.commander?.includes('@') ? incident.commander : config.email?.roleEmails.incident_commander;
      if (!mail || !config.email || !to) return { mailed: false, deliveries };
      const from = config.email.from;
      await once(db, `email:postmortem-reminder:${input.event.id}`, async () => {
        const info = await mail.sendMail({
          from,
          to,
          subject: `[${incident.number}] Post-mortem due: ${incident.title}`,
          text: [
            `The ${incident.severity} incident ${incident.number} (${incident.title}) was resolved on ${incident.resolved_at ? new Date(incident.resolved_at).toISOString() : 'an earlier date'}.`,
            'Its post-mortem (summary, root cause, action items with owners and due dates) is not recorded yet; the incident cannot close until it is.',
            '',
            `Record it: PUT ${incidentUrl(config.publicUrl, incident.id)}/postmortem`,
            '',
            `Reminder ${String(input.event.data.reminder ?? '')}.`,
          ].join('\n'),
          headers: { 'X-Pacer-Incident': incident.number, 'Auto-Submitted': 'auto-generated' },
        });
        return { messageId: info.messageId };
      });
      return { mailed: true, deliveries };
    },
  };
}
