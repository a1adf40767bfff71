/**
 * The Acknowledge button of an incident announcement. A click becomes an `acknowledge`
 * signal to the incident's workflow (source 'slack'), by the agent mapped to the Slack user
 * (PACER_SLACK_AGENTS) or else the Slack username, with an action id derived from the click
 * so a redelivery applies once. A signal, not an update: Slack wants its answer within 3 s.
 * Then the message is redrawn with the button replaced by who acknowledged. A click on an
 * unknown, resolved, closed or already acknowledged incident changes nothing and gets a
 * polite ephemeral answer through response_url.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { IncidentLifecycle } from '../../domain/incidents/incident-lifecycle';
import type { Logger } from '../../core/logger';
import { actionIdOf, agentFor } from './escalation-buttons';
import { INCIDENT_ACK_ACTION, INCIDENT_SLACK_LINK_KIND, incidentActedMessage, incidentViewOf, parseIncidentButtonValue } from './incident-blocks';
import { messageKey } from './message-links';

export interface IncidentButtonDeps {
  db: Kysely<Database>;
  incidents: IncidentLifecycle;
  /** slackUserId → agent name. */
  agents: Record<string, string>;
  publicUrl: string;
  log: Logger;
}

export function registerIncidentButtons(app: App, deps: IncidentButtonDeps): void {
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: INCIDENT_ACK_ACTION }, async ({ ack, body, action, client, respond }) => {
    const tell = async (text: string) => {
      try {
        await respond({ response_type: 'ephemeral', replace_original: false, text });
      } catch (err) {
        deps.log.warn({ error: String(err) }, 'could not answer a Slack click through response_url');
      }
    };
    const incidentId = parseIncidentButtonValue(action.value);
    const incident = incidentId
      ? await deps.db.selectFrom('incidents').select(['id', 'number', 'title', 'severity', 'status', 'impact', 'commander', 'acknowledged_by', 'resolved_at']).where('id', '=', incidentId).executeTakeFirst()
      : undefined;
    if (!incident) {
      deps.log.warn({ value: action.value }, 'Slack incident button names no incident of ours');
      await ack();
      return tell('This incident is not known to Pacer; nothing was changed.');
    }
    if (incident.status === 'closed' || incident.resolved_at !== null) {
      await ack();
      return tell(`${incident.number} is already ${incident.status}; nothing was changed.`);
    }
    if (incident.acknowledged_by !== null) {
      await ack();
      return tell(`${incident.number} was already acknowledged by ${incident.acknowledged_by}.`);
    }

    const channel = body.channel?.id ?? (body.container?.channel_id as string | undefined);
    const ts = body.message?.ts ?? (body.container?.message_ts as string | undefined);
    const who = agentFor(deps.agents, body.user);
    const actionId = actionIdOf(['incident', channel ?? '', ts ?? '', body.user.id, action.action_id, action.action_ts]);
    try {
      await deps.incidents.signal(incident.id, { kind: 'acknowledge', actionId, actor: { type: 'agent', name: who }, source: 'slack' });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await ack();
      return tell(`${incident.number} is already closed; nothing was changed.`);
    }
    await ack();

    if (!channel || !ts) return;
    const link = await deps.db
      .selectFrom('incident_links')
      .select('incident_id')
      .where('kind', '=', INCIDENT_SLACK_LINK_KIND)
      .where('external_key', '=', messageKey(channel, ts))
      .where('incident_id', '=', incident.id)
      .executeTakeFirst();
    if (!link) {
      deps.log.warn({ channel, ts, incidentId: incident.id }, 'clicked Slack message is not one Pacer posted for this incident; left as it is');
      return;
    }
    const view = incidentViewOf(incident, deps.publicUrl);
    await client.chat.update({ channel, ts, ...incidentActedMessage(view, `Acknowledged by ${who}`) });
  });
}

