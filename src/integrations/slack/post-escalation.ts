import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { METADATA_EVENT_TYPE, escalationMessage, type EscalationView } from './escalation-blocks';
import { rememberMessage } from './message-links';
import { classifySlackError, platformError } from './slack-errors';
import type { SlackWebClient } from './web-client';
import { clockDueIn, type ClockName } from '../../../workflows/contract/ticket';
import type { ActionHandler } from '../integration-deps';
import { once } from '../../db/effects';
import type { RunActionInput } from '../../../workflows/contract/records';
import { ticketUrl } from '../../core/links';
import { recordActionFailure } from '../../db/repositories/ticket-events';

export interface SlackActionDeps {
  db: Kysely<Database>;
  client: SlackWebClient;
  /** PACER_SLACK_CHANNEL: an id (C…) is best, since a retry can only search a channel by id. */
  defaultChannel: string;
  publicUrl: string;
  log?: Logger;
}

interface Posted {
  channel: string;
  ts: string;
}

/** The attempt of the running activity (1 outside one). */
export function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** Slack timestamps are "<unix seconds>.<micro>". */
function slackTs(ms: number): string {
  return (ms / 1000).toFixed(6);
}

function clockMet(t: { status: string; fr_met_at: Date | string | null; res_met_at: Date | string | null }, clock: ClockName): boolean {
  if (t.status === 'closed' || t.status === 'cancelled') return true;
  return clock === 'first_response' ? t.fr_met_at !== null : t.res_met_at !== null || t.status === 'solved';
}

export function createSlackEscalationAction(deps: SlackActionDeps): ActionHandler {
  const { db, client } = deps;

  /** A message an earlier attempt posted for this effect, if the channel shows one. */
  const findPosted = async (channel: string, effect: string, since: string): Promise<Posted | null> => {
    try {
      const history = await client.conversations.history({ channel, oldest: slackTs(Date.parse(since) - 60_000), include_all_metadata: true, limit: 200 });
      const found = history.messages?.find((m) => m.metadata?.event_type === METADATA_EVENT_TYPE && (m.metadata.event_payload as Record<string, unknown> | undefined)?.effect === effect);
      return found?.ts ? { channel, ts: found.ts } : null;
    } catch (err) {
      // Without history (a channel given by name, a missing scope) posting is the best left.
      if (!platformError(err)) throw err;
      deps.log?.warn({ channel, error: platformError(err) }, 'cannot search Slack history for an earlier post');
      return null;
    }
  };

  return async (input) => {
    const option = typeof input.action.channel === 'string' ? input.action.channel.trim() : '';
    const channel = option || deps.defaultChannel;
    const ticket = await db
      .selectFrom('tickets')
      .select(['id', 'number', 'subject', 'priority', 'status', 'fr_met_at', 'res_met_at'])
      .where('id', '=', input.ticketId)
      .executeTakeFirst();
    if (!ticket) throw new Error(`ticket ${input.ticketId} has no record yet`);
    if (clockMet(ticket, input.clock)) return { status: 'skipped', detail: `${input.clock} clock already met: nothing posted to Slack` };

    const { dueAt } = clockDueIn(input.sla, input.clock);
    const view: EscalationView = { ticketId: ticket.id, number: ticket.number, subject: ticket.subject, priority: ticket.priority, clock: input.clock, percent: input.percent, dueAt, url: ticketUrl(deps.publicUrl, ticket.id) };
    const effect = `slack:post:${input.ticketId}:${input.stepId}:${input.actionIndex}`;

    let posted: Posted;
    try {
      posted = await once(db, effect, async () => {
        const earlier = attempt() > 1 ? await findPosted(channel, effect, input.at) : null;
        let result = earlier;
        if (!result) {
          const res = await client.chat.postMessage({
            channel,
            ...escalationMessage(view),
            metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { effect, ticket_id: ticket.id, ticket_number: ticket.number, clock: input.clock, percent: input.percent } },
            unfurl_links: false,
            unfurl_media: false,
          });
          if (!res.channel || !res.ts) throw new Error('chat.postMessage answered without channel and ts');
          result = { channel: res.channel, ts: res.ts };
        }
        await rememberMessage(db, { ticketId: ticket.id, ...result, stepId: input.stepId, actionIndex: input.actionIndex, clock: input.clock, percent: input.percent, dueAt });
        return result;
      });
    } catch (err) {
      throw await toFailure(deps, input, channel, err);
    }
    return { status: 'done', detail: `posted to Slack channel ${posted.channel} (message ${posted.ts})` };
  };
}

/** Temporal's reading of a failed post: retry (after Retry-After when Slack gives one), or give up and say why. */
async function toFailure(deps: SlackActionDeps, input: RunActionInput, channel: string, err: unknown): Promise<Error> {
  const failure = classifySlackError(err);
  if (failure.kind === 'rate_limited') {
    return ApplicationFailure.create({ message: `Slack rate-limited the post; retrying in ${failure.retryAfterSeconds} s`, type: 'SlackRateLimited', nextRetryDelay: failure.retryAfterSeconds * 1000 });
  }
  if (failure.kind === 'transient') return ApplicationFailure.retryable(`Slack did not take the post: ${failure.message}`, 'SlackUnavailable');

  deps.log?.warn({ ticketId: input.ticketId, step: input.stepId, channel, error: failure.error }, 'Slack refused an escalation post');
  const detail = `Slack refused the message to ${channel}: ${failure.error}`;
  await recordActionFailure(deps.db, input, detail, { error: failure.error });
  return ApplicationFailure.nonRetryable(detail, 'SlackRejected', { error: failure.error, channel });
}
