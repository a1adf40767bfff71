/** The page shell shared by the console, the portal and sign-in: one CSS file, one script, no outside fonts. */
import type { UserRow } from '../../db/schema';
import { html, SafeHtml } from './html';

export interface PageOptions {
  title: string;
  user?: UserRow | null;
  csrfToken?: string;
  /** Which nav entry is current. */
  nav?: 'queue' | 'agents' | 'incidents' | 'kb' | 'reports' | 'contracts' | 'admin' | 'portal';
  /** Subscribe to live ticket changes (server-sent events). */
  live?: boolean;
  notice?: string | null;
  error?: string | null;
  body: SafeHtml;
}

function navLinks(user: UserRow, current: PageOptions['nav']) {
  const link = (href: string, key: PageOptions['nav'], label: string) =>
    html`<a href="${href}"${key === current ? html` aria-current="page"` : ''}>${label}</a>`;
  if (user.role === 'customer') return [link('/portal', 'portal', 'My tickets')];
  const links = [link('/console', 'queue', 'Queue'), link('/console/agents', 'agents', 'Agents'), link('/console/incidents', 'incidents', 'Incidents'), link('/console/kb', 'kb', 'Knowledge base'), link('/console/reports', 'reports', 'Reports'), link('/console/contracts', 'contracts', 'Contracts')];
  if (user.role === 'admin' || user.role === 'manager') links.push(link('/console/admin', 'admin', 'Admin'));
  return links;
}

const BODY_MARK = '\u0000body\u0000';

/**
 * The page cut around its body, for pages that stream: the head (stylesheet, script, nav)
 * goes out before the slow part is computed, so the browser paints sooner.
 */
export function pageParts(o: Omit<PageOptions, 'body'>): [string, string] {
  const whole = page({ ...o, body: new SafeHtml(BODY_MARK) }).value;
  const at = whole.indexOf(BODY_MARK);
  return [whole.slice(0, at), whole.slice(at + BODY_MARK.length)];
}

export function page(o: PageOptions): SafeHtml {
  const user = o.user ?? null;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Pacer</title>
<link rel="stylesheet" href="/assets/console.css">
${o.csrfToken ? html`<meta name="csrf-token" content="${o.csrfToken}">` : ''}
<script src="/assets/console.js" defer></script>
</head>
<body${o.live ? html` data-live="1"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">Pacer</span>
  ${user ? html`<nav aria-label="Main">${navLinks(user, o.nav)}</nav>
  <form class="signout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${o.csrfToken ?? ''}">
    <span class="who">${user.name} <span class="role">(${user.role})</span></span>
    <button type="submit">Sign out</button>
  </form>` : ''}
</header>
<main id="main" tabindex="-1">
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
${o.body}
</main>
</body>
</html>`;
}
