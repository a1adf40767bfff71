/**
 * The knowledge base on the agent's ticket page: articles suggested for the conversation (what
 * the requester's organization may read, so a link put in a public reply opens for them), one
 * click to put an article's link into the reply (the script inserts it at the cursor; without
 * it the page comes back with the link in the reply box), and "new article from this ticket": a
 * draft whose body is the question and the public answers, opened in the article editor.
 */
import type { Request, Router } from 'express';
import type { CommentRow, Db, TicketRow } from '../../db/schema';
import { listComments } from '../../db/repositories/ticket-details';
import type { ArticleService } from '../../domain/kb/article-service';
import { canRead } from '../../domain/kb/visibility';
import { suggestArticles, type SuggestionSearch } from '../../domain/search/suggestions';
import type { SearchHit } from '../../domain/search/search-types';
import { UUID } from '../../core/uuid';
import { csrfField } from './csrf';
import { html, queryString, raw, type SafeHtml } from './html';
import { sessionOf } from './session';

const SUGGESTED = 5;
/** The customer's newest public words that join the subject and description in the suggestion query. */
const CUSTOMER_COMMENTS = 3;

export interface TicketKbDeps {
  db: Db;
  search: SuggestionSearch;
  articles: ArticleService;
  /** Where the help centre is reached from outside (PACER_PUBLIC_URL); the request's own origin when absent. */
  publicUrl?: string;
}

export class TicketKb {
  constructor(private readonly deps: TicketKbDeps) {}

  /** Articles for the conversation, as its requester may read them. */
  async suggestionsFor(t: TicketRow, comments: CommentRow[]): Promise<SearchHit[]> {
    const customerWords = comments.filter((c) => c.public && c.author_type === 'customer').slice(-CUSTOMER_COMMENTS).map((c) => c.body);
    return suggestArticles(this.deps.search, requesterOf(t), { subject: t.subject, description: [t.description, ...customerWords].join('\n') }, SUGGESTED);
  }

  /** The reply box's text when the page was asked to insert an article (`?insert=<id>`, the no-script path). */
  async replyDraft(req: Request, t: TicketRow): Promise<string> {
    const id = req.query.insert;
    if (typeof id !== 'string' || !UUID.test(id)) return '';
    const a = await this.deps.articles.articles.find(id);
    return a && canRead(requesterOf(t), a) ? linkText(this.base(req), a.id, (a.published ?? a.latest).title) : '';
  }

  panel(req: Request, t: TicketRow, hits: SearchHit[], open: boolean): SafeHtml {
    const s = sessionOf(req);
    const base = this.base(req);
    return html`<section aria-labelledby="kb-h" class="kb-ticket-suggestions" id="kb-ticket">
<h2 id="kb-h">Suggested articles</h2>
${hits.length ? html`<ul>${hits.map((h) => html`<li data-article="${h.articleId}"><a href="/console/kb/articles/${h.articleId}">${h.title}</a><p class="muted">${raw(h.snippet)}</p>
${open ? html`<a class="button" href="/console/tickets/${t.id}?insert=${h.articleId}#reply-body" data-insert="${linkText(base, h.articleId, h.title)}" aria-label="Insert a link to “${h.title}” into the reply">Insert link</a>` : ''}</li>`)}</ul>` : html`<p class="muted">No published article the requester may read matches this ticket.</p>`}
<form method="post" action="/console/tickets/${t.id}/kb-article" class="row">${csrfField(s.csrfToken)}<button type="submit" aria-describedby="kb-new-help">New article from this ticket</button> <span id="kb-new-help" class="muted">a draft with the question and the public answers</span></form>
</section>`;
  }

  /** POST /console/tickets/:id/kb-article: the draft, then its editor. */
  routes(r: Router, ticketOf: (req: Request) => Promise<TicketRow>): void {
    r.post('/console/tickets/:id/kb-article', async (req, res) => {
      const t = await ticketOf(req);
      const comments = await listComments(this.deps.db, t.id);
      const a = await this.deps.articles.create(
        { title: t.subject.slice(0, 300), body: articleBody(t, comments), keywords: [], visibility: 'public', organizationIds: [], state: 'draft', note: `from ticket ${t.number}` },
        sessionOf(req).user.name,
      );
      res.redirect(303, `/console/kb/articles/${a.id}${queryString({ notice: `Draft created from ${t.number}: review it before publishing.` })}`);
    });
  }

  private base(req: Request): string {
    return (this.deps.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`).replace(/\/$/, '');
  }
}

const requesterOf = (t: TicketRow) => ({ kind: 'customer' as const, organizationId: t.organization_id });

const linkText = (base: string, id: string, title: string) => `${title}: ${base}/help/articles/${id}`;

/** The question (subject and description) and every public agent answer, as Markdown; internal notes never. */
export function articleBody(t: TicketRow, comments: CommentRow[]): string {
  const answers = comments.filter((c) => c.public && c.author_type === 'agent').map((c) => c.body.trim());
  return ['## Question', '', t.description.trim() || t.subject, '', '## Answer', '', answers.length ? answers.join('\n\n') : '_No public answer yet._', ''].join('\n');
}
