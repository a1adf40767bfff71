/**
 * The ticket page's category: what it is and who chose it (an automatic choice is marked so,
 * with its confidence), the suggestion below the threshold with an Accept button, the form an
 * agent corrects it with, and how a ticket.categorized event reads on the timeline.
 */
import type { TicketRow } from '../../db/schema';
import { html, type SafeHtml } from './html';

const pct = (c: number | null) => (c === null ? '' : `${Math.round(c * 100)}%`);
const AUTOMATIC = new Set(['classifier', 'keywords']);

/** In the ticket's meta line. */
export function categoryMeta(t: TicketRow): SafeHtml {
  const auto = t.category_source !== null && AUTOMATIC.has(t.category_source);
  return html` · category <strong id="ticket-category">${t.category ?? 'none'}</strong>${auto ? html` <span class="badge badge-automatic" id="category-automatic" title="set automatically by the ${t.category_source}">automatic · ${t.category_source} ${pct(t.category_confidence)}</span>` : ''}${t.language ? html` · language <span id="ticket-language">${t.language}</span>` : ''}`;
}

/** Among the actions: the suggestion to accept, and the category to set by hand. */
export function categoryForm(t: TicketRow, action: string, csrf: SafeHtml): SafeHtml {
  const suggestion = t.category_suggestion && t.category_suggestion !== t.category
    ? html`<p id="category-suggestion">Suggested category: <strong>${t.category_suggestion}</strong> <span class="muted">(${pct(t.category_confidence)} sure)</span>
<button type="submit" name="category" value="${t.category_suggestion}" form="category-form">Accept</button></p>`
    : '';
  return html`${suggestion}<form method="post" action="${action}" class="row" id="category-form">${csrf}
<label for="category">Category</label>
<input id="category" name="category" value="${t.category ?? ''}" maxlength="200">
<button type="submit">Set category</button>
</form>`;
}

/** The detail of a ticket.categorized event on the timeline. */
export function categorizedDetail(d: Record<string, unknown>): string {
  const confidence = typeof d.confidence === 'number' ? ` ${pct(d.confidence)}` : '';
  if (d.automatic === true) return `→ ${String(d.category)} (automatic, ${String(d.source)}${confidence})`;
  const replaced = d.replaced as { category?: unknown; source?: unknown } | null | undefined;
  return `→ ${String(d.category ?? 'none')}${replaced ? ` (replaced the automatic ${String(replaced.category)} of the ${String(replaced.source)})` : ''}`;
}
