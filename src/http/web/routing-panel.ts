/**
 * The ticket page's "Why routed here" panel: the routing decisions recorded for the ticket
 * (queued, assigned, released, unroutable), newest first, each with its group, agent, strategy
 * and the reason the routing workflow wrote (its sentence, then the facts: deadline, business
 * time left, load against capacity, skills, shift end).
 */
import type { RoutingDecisionView } from '../../db/repositories/routing-decisions';
import { formatInstant } from './format';
import { html, type SafeHtml } from './html';

const KIND_LABELS: Record<string, string> = { queued: 'Queued', assigned: 'Assigned', released: 'Handed back', unroutable: 'Not routable' };

function facts(reason: Record<string, unknown>, tz: string): string[] {
  const out: string[] = [];
  const s = (k: string) => (typeof reason[k] === 'string' ? (reason[k] as string) : null);
  const n = (k: string) => (typeof reason[k] === 'number' ? (reason[k] as number) : null);
  if (s('rule')) out.push(`rule “${s('rule')}”`);
  if (s('cause')) out.push(`cause: ${s('cause')!.replace('_', ' ')}`);
  if (s('deadlineAt')) out.push(`due ${formatInstant(s('deadlineAt'), tz)}`);
  if (n('businessMinutesLeft') !== null) out.push(`${n('businessMinutesLeft')} business minutes left`);
  if (n('load') !== null && n('capacity') !== null) out.push(`load ${n('load')} of ${n('capacity')}`);
  if (Array.isArray(reason.skills) && reason.skills.length) {
    out.push(`skills ${(reason.skills as Array<{ name?: unknown; minLevel?: unknown }>).map((k) => `${String(k.name)} ≥ ${String(k.minLevel)}`).join(', ')}`);
  }
  if (s('language')) out.push(`language ${s('language')}`);
  if (s('shiftEndsAt')) out.push(`shift ends ${formatInstant(s('shiftEndsAt'), tz)}`);
  if (s('backAt')) out.push(`back ${formatInstant(s('backAt'), tz)}`);
  return out;
}

export function routingPanel(decisions: RoutingDecisionView[], tz: string): SafeHtml | '' {
  if (decisions.length === 0) return '';
  const newestFirst = [...decisions].reverse();
  return html`<section aria-labelledby="routing-h" id="routing"><h2 id="routing-h">Why routed here</h2>
<ol class="routing-decisions">${newestFirst.map((d) => {
    const reason = d.reason;
    const summary = typeof reason.summary === 'string' ? reason.summary : '';
    const f = facts(reason, tz);
    return html`<li data-kind="${d.kind}"><strong>${KIND_LABELS[d.kind] ?? d.kind}</strong> ${formatInstant(d.at, tz)} · group ${d.group_name ?? 'deleted group'}${d.agent_name ? html` · ${d.agent_name}` : ''}${d.strategy ? html` · ${d.strategy}` : ''}
${summary ? html`<p>${summary}</p>` : ''}${f.length ? html`<p class="muted">${f.join('; ')}</p>` : ''}</li>`;
  })}</ol></section>`;
}
