/**
 * What an incident's ladder steps and reminders do in the world: page on-call (PagerDuty),
 * notify or escalate to a role (recorded on the timeline, which webhooks and the console
 * read), settle PagerDuty alerts, and chase a missing post-mortem by email. Each outcome is
 * written under the action's own deterministic event id, so the timeline shows it once.
 */
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import type { IntegrationConfig } from '../../src/integrations/config';
import { createPagerDutyEvents } from '../../src/integrations/pagerduty/events-client';
import { createSlackWebClient } from '../../src/integrations/slack/web-client';
import type { Logger } from '../../src/core/logger';
import type { IncidentActionInput } from '../../workflows/contract/incident';
import { once } from '../../src/db/effects';
import { permanentFailureOf, storableText } from '../../src/db/failure-classes';
import { postIncidentToSlack, type SlackIncidentDeps } from '../../src/integrations/slack/post-incident';
import type { ActionOutcome, EventInput } from '../../workflows/contract/records';
import { pageIncident, settleIncidentAlerts, type IncidentPagingDeps } from './incident-paging';
import { insertIncidentEvents } from './incident-records';
import { incidentUrl } from '../../src/core/links';

export interface IncidentActionDeps {
  db: Kysely<Database>;
  config: IntegrationConfig;
  log?: Logger;
}

export function createIncidentActionActivities(deps: IncidentActionDeps) {
  const { db, config } = deps;
  const pd = config.pagerduty;
  const paging: IncidentPagingDeps | null = pd
    ? { db, events: createPagerDutyEvents(pd.routingKey, { server: pd.eventsHost, ca: pd.ca }), publicUrl: config.publicUrl, log: deps.log }
    : null;
  const slack: SlackIncidentDeps | null = config.slack
    ? { db, client: createSlackWebClient(config.slack, 'ladder', deps.log), defaultChannel: config.slack.channel, publicUrl: config.publicUrl, log: deps.log }
    : null;
  const mail = config.email ? nodemailer.createTransport({ url: config.email.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }) : null;

  const run = async (input: IncidentActionInput): Promise<ActionOutcome> => {
    const role = typeof input.action.role === 'string' ? input.action.role : 'unspecified role';
    switch (input.action.type) {
      case 'page':
        return paging ? pageIncident(paging, input) : { status: 'skipped', detail: 'no integration configured for action "page"' };
      case 'slack':
        return slack ? postIncidentToSlack(slack, input) : { status: 'skipped', detail: 'no integration configured for action "slack"' };
      case 'notify':
        return { status: 'done', detail: `notified ${role}` };
      case 'escalate':
        return { status: 'done', detail: `escalated to ${role}` };
      default:
        return { status: 'skipped', detail: `no integration configured for action "${input.action.type}"` };
    }
  };

  return {
    async runIncidentAction(input: IncidentActionInput): Promise<ActionOutcome> {
      let outcome: ActionOutcome;
      try {
        outcome = await run(input);
      } catch (err) {
        // Failed for good: the outcome goes on the timeline under the action's own id, and the ladder goes on.
        const failure = permanentFailureOf(err);
        if (!failure) throw err;
        await insertIncidentEvents(db, input.incidentId, [
          {
            id: `${input.incidentId}:sla:${input.stepId}:action:${input.actionIndex}`,
            type: 'action.failed',
            at: input.at,
            actor: 'system:ladder',
            visibility: 'internal',
            data: { step: input.stepId, clock: input.clock, percent: input.percent, action: input.action, detail: storableText(failure.message), failure: failure.type ?? 'ApplicationFailure' },
          },
        ]);
        throw failure;
      }
      await insertIncidentEvents(db, input.incidentId, [
        {
          id: `${input.incidentId}:sla:${input.stepId}:action:${input.actionIndex}`,
          type: outcome.status === 'skipped' ? 'action.skipped' : 'action.done',
          at: input.at,
          actor: 'system:ladder',
          visibility: 'internal',
          data: { step: input.stepId, clock: input.clock, percent: input.percent, action: input.action, detail: outcome.detail },
        },
      ]);
      return outcome;
    },

    async settleIncidentAlerts(input: { incidentId: string; how: 'acknowledge' | 'resolve' }): Promise<{ settled: number }> {
      return { settled: paging ? await settleIncidentAlerts(paging, input.incidentId, input.how) : 0 };
    },

    /** Records the reminder and mails the commander (their address, or the incident_commander role's). */
    async sendPostmortemReminder(input: { incidentId: string; event: EventInput }): Promise<{ mailed: boolean }> {
      await insertIncidentEvents(db, input.incidentId, [input.event]);
      const incident = await db.selectFrom('incidents').select(['id', 'number', 'title', 'severity', 'commander', 'resolved_at']).where('id', '=', input.incidentId).executeTakeFirstOrThrow();
      const to = incident.commander?.includes('@') ? incident.commander : config.email?.roleEmails.incident_commander;
      if (!mail || !config.email || !to) return { mailed: false };
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
      return { mailed: true };
    },
  };
}
