/** The knowledge base's console pages share one frame: the KB tabs under the main nav, notices from redirects. */
import type { Request } from 'express';
import { html, type SafeHtml } from './html';
import { page } from './layout';
import { sessionOf } from './session';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function kbPage(req: Request, title: string, body: SafeHtml, o: { error?: string | null } = {}): string {
  const s = sessionOf(req);
  const tabs = html`<nav class="tabs" aria-label="Knowledge base">${[
    ['/console/kb', 'Articles'],
    ['/console/kb/articles/new', 'New article'],
    ['/console/kb/synonyms', 'Synonyms'],
    ['/console/kb/report', 'Report'],
  ].map(([href, label]) => html`<a href="${href}"${req.path === href ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>`;
  const notice = typeof req.query.notice === 'string' ? req.query.notice : null;
  const error = o.error ?? (typeof req.query.error === 'string' ? req.query.error : null);
  return page({ title, user: s.user, csrfToken: s.csrfToken, nav: 'kb', notice, error, body: html`${tabs}<h1>${title}</h1>${body}` }).value;
}
