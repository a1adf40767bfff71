/**
 * What the escalation buttons do. Acknowledge becomes an `acknowledge` signal for the
 * button's clock (no more paging for it); Take it an `assign` signal to the agent mapped to
 * that Slack user (PACER_SLACK_AGENTS), else to the Slack username. Signals, not updates:
 * Slack wants its answer within 3 s. After the ack the message is redrawn with the buttons
 * replaced by who acted, so the channel sees the escalation is owned.
 */
import crypto from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import type { TicketLifecycle } from '../../domain/tickets/ticket-lifecycle';
import type { TicketAction } from '../../../workflows/contract/ticket';
import { ACKNOWLEDGE_ACTION, TAKE_ACTION, actedMessage, parseButtonValue } from './escalation-blocks';
import { findMessage } from './message-links';
import { ticketUrl } from '../../core/links';

export interface EscalationButtonDeps {
  db: Kysely<Database>;
  lifecycle: TicketLifecycle;
  /** slackUserId → agent name. */
  agents: Record<string, string>;
  publicUrl: string;
  log: Logger;
}

type Kind = 'acknowledge' | 'take';

/** One click, one action id: a repeated delivery of the same click applies once. UUID-shaped like every action id. */
export function actionIdOf(parts: string[]): string {
  const h = crypto.createHash('sha256').update(`slack|${parts.join('|')}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function agentFor(agents: Record<string, string>, user: BlockAction['user']): string {
  return agents[user.id] ?? user.username ?? user.name ?? user.id;
}

export function registerEscalationButtons(app: App, deps: EscalationButtonDeps): void {
  const handle = (kind: Kind) =>
    async ({ ack, body, action, client }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; client: App['client'] }) => {
      const target = parseButtonValue(action.value);
      const ticket = target ? await deps.db.selectFrom('tickets').select(['id', 'number', 'subject', 'priority', 'status']).where('id', '=', target.ticketId).executeTakeFirst() : undefined;
      if (!target || !ticket) {
        deps.log.warn({ actionId: action.action_id, value: action.value }, 'Slack button names no ticket of ours');
        return ack();
      }
      const channel = body.channel?.id ?? (body.container?.channel_id as string | undefined);
      const ts = body.message?.ts ?? (body.container?.message_ts as string | undefined);
      const who = agentFor(deps.agents, body.user);
      const actionId = actionIdOf([channel ?? '', ts ?? '', body.user.id, action.action_id, action.action_ts]);
      const actor = { type: 'agent' as const, name: who };
      const signal: TicketAction =
        kind === 'acknowledge'
          ? { kind: 'acknowledge', actionId, actor, clock: target.clock, source: 'slack' }
          : { kind: 'assign', actionId, actor, assignee: who };

      let outcome = kind === 'acknowledge' ? `Acknowledged by ${who}` : `Taken by ${who}`;
      try {
        await deps.lifecycle.signal(ticket.id, signal);
      } catch (err) {
        // The ticket's workflow has ended: nothing to own any more, and the message says so.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        outcome = `${ticket.number} is already ${ticket.status}`;
      }
      await ack();

      if (!channel || !ts) return;
      const link = await findMessage(deps.db, channel, ts);
      if (!link || link.ticketId !== ticket.id) {
        deps.log.warn({ channel, ts, ticketId: ticket.id }, 'clicked Slack message is not one Pacer posted for this ticket; left as it is');
        return;
      }
      const view = {
        ticketId: ticket.id,
        number: ticket.number,
        subject: ticket.subject,
        priority: ticket.priority,
        clock: link.clock,
        percent: link.percent,
        dueAt: link.dueAt,
        url: ticketUrl(deps.publicUrl, ticket.id),
      };
      await client.chat.update({ channel, ts, ...actedMessage(view, outcome) });
    };

  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: ACKNOWLEDGE_ACTION }, handle('acknowledge'));
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: TAKE_ACTION }, handle('take'));
}
