/**
 * What the requester hears by email: an acknowledgement when the ticket is created, every
 * public agent reply, and a notice when it is solved. Each message is keyed by the event it
 * reports, so the hook's retries send it once; internal notes and customer comments send nothing.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import type { HookContext, IntegrationHook } from '../integration-deps';
import { PermanentMailError, type TicketMail, type TicketMailer } from './mailer';
import { acknowledgement, agentReply, csatSurveyMail, solvedNotice, type SuggestedLink, type TicketFacts } from './ticket-mail';
import { suggestArticles, type SuggestionSearch } from '../../domain/search/suggestions';
import type { SurveyLinks } from '../../domain/csat/survey-links';

export interface EmailHookDeps {
  db: Kysely<Database>;
  mailer: TicketMailer;
  signature: string;
  /** Signs the satisfaction survey's link. */
  surveyLinks: SurveyLinks;
  log?: Logger;
  /** Suggested articles in the acknowledgement (PACER_ACK_EMAIL_SUGGESTIONS); none when absent. */
  suggestions?: { search: SuggestionSearch; count: number; publicUrl: string };
}

interface Requester extends TicketFacts {
  email: string;
  description: string;
  organizationId: string;
}

async function ticketOf(db: Kysely<Database>, ticketId: string): Promise<Requester> {
  const t = await db
    .selectFrom('tickets')
    .select(['id', 'number', 'subject', 'description', 'priority', 'requester_name', 'requester_email', 'organization_id'])
    .where('id', '=', ticketId)
    .executeTakeFirst();
  // The workflow writes the row before any event of it reaches a hook: missing means not yet visible, so retry.
  if (!t) throw new Error(`ticket ${ticketId} not found`);
  return { id: t.id, number: t.number, subject: t.subject, description: t.description, priority: t.priority, requesterName: t.requester_name, email: t.requester_email, organizationId: t.organization_id };
}

export function emailHooks(deps: EmailHookDeps): IntegrationHook[] {
  /** What the requester's organization may read that matches the request; a search that fails leaves the list out, never the mail. */
  const suggestedFor = async (t: Requester): Promise<SuggestedLink[]> => {
    const s = deps.suggestions;
    if (!s) return [];
    try {
      const hits = await suggestArticles(s.search, { kind: 'customer', organizationId: t.organizationId }, t, s.count);
      return hits.map((h) => ({ title: h.title, url: `${s.publicUrl.replace(/\/$/, '')}/help/articles/${h.articleId}` }));
    } catch (err) {
      deps.log?.warn({ ticketId: t.id, err: (err as Error).message }, 'acknowledgement sent without suggested articles: the search failed');
      return [];
    }
  };

  const send = async (ctx: HookContext, mail: Omit<TicketMail, 'ticketId' | 'key'>) => {
    try {
      await deps.mailer.send({ ...mail, ticketId: ctx.ticketId, key: ctx.event.id });
    } catch (err) {
      // A refused recipient stays refused: log it and let the ticket move on.
      if (!(err instanceof PermanentMailError)) throw err;
      deps.log?.warn({ ticketId: ctx.ticketId, event: ctx.event.type, err: err.message }, 'email to the requester refused');
    }
  };

  const acknowledge: IntegrationHook = {
    name: 'email-acknowledgement',
    types: ['ticket.created'],
    handle: async (ctx) => {
      const t = await ticketOf(deps.db, ctx.ticketId);
      await send(ctx, { ticketNumber: t.number, kind: 'acknowledgement', to: [t.email], autoSubmitted: 'auto-replied', ...acknowledgement(t, deps.signature, await suggestedFor(t)) });
    },
  };

  const agentReplies: IntegrationHook = {
    name: 'email-agent-reply',
    types: ['comment.public'],
    handle: async (ctx) => {
      const { event } = ctx;
      // Agents' replies and system notices (an incident's public updates); a customer's own words are not sent back.
      if (event.type !== 'comment.public' || event.data.authorType === 'customer') return;
      const comment = await deps.db
        .selectFrom('comments')
        .select(['body', 'author_name'])
        .where('id', '=', String(event.data.commentId))
        .executeTakeFirst();
      if (!comment) throw new Error(`comment ${String(event.data.commentId)} not found`);
      const t = await ticketOf(deps.db, ctx.ticketId);
      await send(ctx, { ticketNumber: t.number, kind: 'reply', to: [t.email], ...agentReply(t, comment.body, comment.author_name, deps.signature) });
    },
  };

  const solved: IntegrationHook = {
    name: 'email-solved',
    types: ['ticket.status_changed'],
    handle: async (ctx) => {
      if (ctx.event.type !== 'ticket.status_changed' || ctx.event.data.to !== 'solved') return;
      const t = await ticketOf(deps.db, ctx.ticketId);
      await send(ctx, { ticketNumber: t.number, kind: 'solved', to: [t.email], autoSubmitted: 'auto-generated', ...solvedNotice(t, deps.signature) });
    },
  };

  const survey: IntegrationHook = {
    name: 'email-csat-survey',
    types: ['csat.survey_sent'],
    handle: async (ctx) => {
      if (ctx.event.type !== 'csat.survey_sent') return;
      const t = await ticketOf(deps.db, ctx.ticketId);
      const { expiresAt } = ctx.event.data;
      const link = await deps.surveyLinks.url(t.id, new Date(expiresAt));
      await send(ctx, { ticketNumber: t.number, kind: 'csat', to: [t.email], autoSubmitted: 'auto-generated', ...csatSurveyMail(t, link, expiresAt, deps.signature) });
    },
  };

  return [acknowledge, agentReplies, solved, survey];
}
