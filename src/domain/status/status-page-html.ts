/**
 * The public status page as one server-rendered HTML document: inline CSS, no scripts, fonts
 * or outside resources. Every status is spelled out in words (colour only repeats it), the
 * uptime bars are decoration over a text summary, the colours keep a contrast of at least
 * 4.5:1, and every string that came from a user is HTML-escaped.
 */
import { STATUS_LABELS, type ComponentStatus } from './component-status';
import type { PublicComponent, PublicIncident, StatusSnapshot } from './status-snapshot';

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const INCIDENT_STATUS_LABELS: Record<string, string> = {
  detected: 'Detected',
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  closed: 'Resolved',
};
const incidentStatusLabel = (s: string) => INCIDENT_STATUS_LABELS[s] ?? s;
const statusLabel = (s: string) => STATUS_LABELS[s as ComponentStatus] ?? s;
const when = (isoTime: string) => `<time datetime="${escapeHtml(isoTime)}">${escapeHtml(isoTime.slice(0, 16).replace('T', ' '))} UTC</time>`;
const percent = (p: number | null) => (p === null ? 'no data' : `${p.toFixed(2)}%`);

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#fff;line-height:1.5}
main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
a{color:#0550ae}
.banner{padding:1rem 1.25rem;border-radius:.5rem;font-size:1.2rem;font-weight:600;border:2px solid}
.s-operational{background:#dafbe1;color:#0a3622;border-color:#1a7f37}
.s-degraded{background:#fff8c5;color:#3b2300;border-color:#9a6700}
.s-partial_outage{background:#ffe7d1;color:#4a1d00;border-color:#bc4c00}
.s-major_outage{background:#ffebe9;color:#5c0011;border-color:#cf222e}
.components{list-style:none;margin:0;padding:0}
.component{border:1px solid #d0d7de;border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0}
.component-head{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.component-name{font-weight:600}
.pill{display:inline-block;padding:0 .5rem;border-radius:1rem;border:1px solid;font-size:.9rem;font-weight:600}
.desc{color:#424a53;margin:.25rem 0 0;font-size:.95rem}
.bar{display:flex;gap:1px;height:2rem;margin:.5rem 0 .25rem}
.bar span{flex:1;border-radius:1px}
.d-up{background:#1a7f37}.d-partial{background:#bf8700}.d-down{background:#cf222e}.d-none{background:#d0d7de}
.uptime{font-size:.9rem;color:#424a53;margin:0}
.incident{border-left:4px solid #0550ae;padding:.25rem 0 .25rem 1rem;margin:1rem 0}
.updates{list-style:none;margin:.5rem 0 0;padding:0}
.updates li{margin:.5rem 0}
.update-status{font-weight:600}
.meta{color:#424a53;font-size:.9rem}
.body{white-space:pre-wrap;margin:.1rem 0 0}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
footer{margin-top:3rem;color:#424a53;font-size:.9rem}
`;

function uptimeBar(c: PublicComponent): string {
  const cells = c.uptime.days
    .map((d) => {
      const cls = d.uptimePercent === null ? 'd-none' : d.uptimePercent === 100 ? 'd-up' : d.uptimePercent >= 95 ? 'd-partial' : 'd-down';
      const tip = d.uptimePercent === null ? `${d.date}: no data` : `${d.date}: ${percent(d.uptimePercent)} up${d.downtimeMinutes > 0 ? `, ${d.downtimeMinutes} min down` : ''}`;
      return `<span class="${cls}" title="${escapeHtml(tip)}"></span>`;
    })
    .join('');
  const down = c.uptime.days.filter((d) => d.uptimePercent !== null && d.uptimePercent < 100);
  const downText = down.length === 0 ? 'No downtime recorded.' : `Days with downtime: ${down.map((d) => `${d.date} (${percent(d.uptimePercent)})`).join(', ')}.`;
  return (
    `<div class="bar" aria-hidden="true">${cells}</div>` +
    `<p class="uptime"><span class="uptime-percent">${escapeHtml(percent(c.uptime.percent))} uptime</span> over the last ${c.uptime.days.length} days. ` +
    `<span class="sr-only">${escapeHtml(downText)}</span></p>`
  );
}

function componentItem(c: PublicComponent): string {
  return (
    `<li class="component" data-component-id="${escapeHtml(c.id)}">` +
    `<div class="component-head"><span class="component-name">${escapeHtml(c.name)}</span>` +
    `<span class="pill s-${escapeHtml(c.status)}" data-status="${escapeHtml(c.status)}">${escapeHtml(c.statusLabel)}</span></div>` +
    (c.description ? `<p class="desc">${escapeHtml(c.description)}</p>` : '') +
    uptimeBar(c) +
    `</li>`
  );
}

function componentsSection(components: PublicComponent[]): string {
  if (components.length === 0) return '<section aria-labelledby="components"><h2 id="components">Components</h2><p>No components are listed.</p></section>';
  // Groups appear in the order of their first component; ungrouped components stand on their own.
  const groups = new Map<string, PublicComponent[]>();
  for (const c of components) groups.set(c.group ?? '', [...(groups.get(c.group ?? '') ?? []), c]);
  const parts = [...groups].map(([group, members]) =>
    group === '' ? `<ul class="components">${members.map(componentItem).join('')}</ul>` : `<h3>${escapeHtml(group)}</h3><ul class="components">${members.map(componentItem).join('')}</ul>`,
  );
  return `<section aria-labelledby="components"><h2 id="components">Components</h2>${parts.join('')}</section>`;
}

function incidentArticle(i: PublicIncident): string {
  const affected = i.components.length === 0 ? '' : `<p class="meta">Affected: ${i.components.map((c) => `${escapeHtml(c.name)} (${escapeHtml(statusLabel(c.impact))})`).join(', ')}</p>`;
  const updates =
    i.updates.length === 0
      ? '<p class="meta">No public updates yet.</p>'
      : `<ol class="updates" reversed>${i.updates
          .map((u) => `<li><span class="update-status">${escapeHtml(incidentStatusLabel(u.status))}</span> <span class="meta">— ${when(u.createdAt)}</span><p class="body">${escapeHtml(u.body)}</p></li>`)
          .join('')}</ol>`;
  return (
    `<article class="incident" data-incident-id="${escapeHtml(i.id)}">` +
    `<h3>${escapeHtml(i.title)}</h3>` +
    `<p class="meta">${escapeHtml(i.number)} · ${escapeHtml(incidentStatusLabel(i.status))} · began ${when(i.createdAt)}${i.resolvedAt ? ` · resolved ${when(i.resolvedAt)}` : ''}</p>` +
    affected +
    updates +
    `</article>`
  );
}

const SUBSCRIBE_FORM = `<section aria-labelledby="subscribe"><h2 id="subscribe">Get updates by email</h2>
<form method="post" action="/status/subscriptions"><p><label for="email">Email address</label><br><input id="email" name="email" type="email" required autocomplete="email" style="font:inherit;padding:.4rem;min-width:16rem;border:1px solid #57606a;border-radius:.3rem">
<button type="submit" style="font:inherit;padding:.4rem .9rem;border:1px solid #1f2328;border-radius:.3rem;background:#0550ae;color:#fff">Subscribe</button></p>
<p class="meta">We send a confirmation link first. Programs can <code>POST /api/v1/status/subscriptions</code> with <code>{"email": "…"}</code>.</p></form></section>`;

export function renderStatusPage(s: StatusSnapshot, opts: { title?: string; subscribe?: boolean } = {}): string {
  const title = opts.title ?? 'System status';
  const active =
    s.activeIncidents.length === 0
      ? '<p>No active incidents.</p>'
      : s.activeIncidents.map(incidentArticle).join('');
  const recent = s.recentIncidents.length === 0 ? '<p>No incidents in the last 7 days.</p>' : s.recentIncidents.map(incidentArticle).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="banner s-${escapeHtml(s.status)}" role="status" data-status="${escapeHtml(s.status)}">${escapeHtml(s.statusLabel)}</p>
<section aria-labelledby="active"><h2 id="active">Active incidents</h2>${active}</section>
${componentsSection(s.components)}
<section aria-labelledby="recent"><h2 id="recent">Resolved in the last 7 days</h2>${recent}</section>
${opts.subscribe ? SUBSCRIBE_FORM : ''}
<footer><p>Updated ${when(s.generatedAt)}. Uptime counts partial and major outages as downtime; degraded performance counts as up. Days before a component was listed show no data.</p></footer>
</main>
</body>
</html>
`;
}

/** A small page for the subscription links (confirm, unsubscribe). */
export function renderMessagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/status">Back to the status page</a></p></main></body>
</html>
`;
}
