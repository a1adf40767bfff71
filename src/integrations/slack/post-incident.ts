/**
 * The `slack` action of an incident ladder: the incident announced in a channel (the
 * action's `channel`, else PACER_SLACK_CHANNEL) with an Acknowledge button. Guarded like the
 * ticket escalation post: once() keeps an ordinary retry from calling Slack at all, and a
 * retry of an attempt that may have posted without recording it (a lost answer) first looks
 * in the channel for a message carrying this effect's key in its metadata. The message is
 * remembered in incident_links (kind 'slack', "<channel>:<ts>") so a click can redraw it.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { INCIDENT_METADATA_EVENT_TYPE, INCIDENT_SLACK_LINK_KIND, incidentMessage, incidentViewOf } from './incident-blocks';
import { messageKey } from './message-links';
import { classifySlackError, platformError } from './slack-errors';
import type { SlackWebClient } from './web-client';
import { once } from '../../db/effects';
import type { ActionOutcome } from '../../../workflows/contract/records';
import { attempt } from './post-escalation';
import type { IncidentActionInput } from '../../../workflows/contract/incident';

export interface SlackIncidentDeps {
  db: Kysely<Database>;
  client: SlackWebClient;
  defaultChannel: string;
  publicUrl: string;
  log?: Logger;
}

interface Posted {
  channel: string;
  ts: string;
}

export async function postIncidentToSlack(deps: SlackIncidentDeps, input: IncidentActionInput): Promise<ActionOutcome> {
  const { db, client } = deps;
  const option = typeof input.action.channel === 'string' ? input.action.channel.trim() : '';
  const channel = option || deps.defaultChannel;
  const incident = await db.selectFrom('incidents').select(['id', 'number', 'title', 'severity', 'status', 'impact', 'commander', 'resolved_at']).where('id', '=', input.incidentId).executeTakeFirst();
  if (!incident) throw new Error(`incident ${input.incidentId} has no record yet`);
  if (incident.status === 'closed' || incident.resolved_at !== null) return { status: 'skipped', detail: 'resolved before the Slack post went out: nothing posted' };

  const view = incidentViewOf(incident, deps.publicUrl);
  const effect = `slack:incident:${input.incidentId}:${input.stepId}:${input.actionIndex}`;

  const findPosted = async (): Promise<Posted | null> => {
    try {
      const oldest = ((Date.parse(input.at) - 60_000) / 1000).toFixed(6);
      const history = await client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 });
      const found = history.messages?.find((m) => m.metadata?.event_type === INCIDENT_METADATA_EVENT_TYPE && (m.metadata.event_payload as Record<string, unknown> | undefined)?.effect === effect);
      return found?.ts ? { channel, ts: found.ts } : null;
    } catch (err) {
      if (!platformError(err)) throw err;
      deps.log?.warn({ channel, error: platformError(err) }, 'cannot search Slack history for an earlier incident post');
      return null;
    }
  };

  let posted: Posted;
  try {
    posted = await once(db, effect, async () => {
      let result = attempt() > 1 ? await findPosted() : null;
      if (!result) {
        const res = await client.chat.postMessage({
          channel,
          ...incidentMessage(view),
          metadata: { event_type: INCIDENT_METADATA_EVENT_TYPE, event_payload: { effect, incident_id: incident.id, incident_number: incident.number } },
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!res.channel || !res.ts) throw new Error('chat.postMessage answered without channel and ts');
        result = { channel: res.channel, ts: res.ts };
      }
      await db
        .insertInto('incident_links')
        .values({
          incident_id: incident.id,
          kind: INCIDENT_SLACK_LINK_KIND,
          external_key: messageKey(result.channel, result.ts),
          url: null,
          data: JSON.stringify({ channel: result.channel, ts: result.ts, stepId: input.stepId, actionIndex: input.actionIndex, clock: input.clock, percent: input.percent }),
        })
        .onConflict((oc) => oc.columns(['incident_id', 'kind', 'external_key']).doNothing())
        .execute();
      return result;
    });
  } catch (err) {
    const failure = classifySlackError(err);
    if (failure.kind === 'rate_limited') {
      throw ApplicationFailure.create({ message: `Slack rate-limited the post; retrying in ${failure.retryAfterSeconds} s`, type: 'SlackRateLimited', nextRetryDelay: failure.retryAfterSeconds * 1000 });
    }
    if (failure.kind === 'transient') throw ApplicationFailure.retryable(`Slack did not take the post: ${failure.message}`, 'SlackUnavailable');
    deps.log?.warn({ incidentId: input.incidentId, step: input.stepId, channel, error: failure.error }, 'Slack refused an incident post');
    throw ApplicationFailure.nonRetryable(`Slack refused the message to ${channel}: ${failure.error}`, 'SlackRejected', { error: failure.error, channel });
  }
  return { status: 'done', detail: `posted to Slack channel ${posted.channel} (message ${posted.ts})` };
}
