/**
 * A console section's page (admin, knowledge base): its tabs under the main nav, the notice or
 * error a redirect carried, the title, then the body. One frame, so every section reads alike.
 */
import type { Request } from 'express';
import { html, type SafeHtml } from './html';
import { page, type PageOptions } from './layout';
import { sessionOf } from './session';

export interface Section {
  nav: NonNullable<PageOptions['nav']>;
  /** The tab list's accessible name. */
  label: string;
  tabs: ReadonlyArray<readonly [href: string, label: string]>;
}

export function sectionPage(req: Request, section: Section, title: string, body: SafeHtml, o: { error?: string | null; above?: SafeHtml | '' } = {}): string {
  const s = sessionOf(req);
  const tabs = html`<nav class="tabs" aria-label="${section.label}">${section.tabs.map(
    ([href, label]) => html`<a href="${href}"${req.path === href ? html` aria-current="page"` : ''}>${label}</a>`,
  )}</nav>`;
  const notice = typeof req.query.notice === 'string' ? req.query.notice : null;
  const error = o.error ?? (typeof req.query.error === 'string' ? req.query.error : null);
  return page({ title, user: s.user, csrfToken: s.csrfToken, nav: section.nav, notice, error, body: html`${tabs}<h1>${title}</h1>${o.above ?? ''}${body}` }).value;
}
