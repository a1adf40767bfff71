/**
 * Service credits in the console (account managers: agents read, admins and managers exclude
 * breaches) and in the portal (a customer reads its own organization's statements when the
 * contract shows them): a statement per period with its achievement, breaches, credit lines,
 * cap and total; a printable version without forms; the same CSV the API serves.
 */
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/schema';
import { listOrganizations } from '../../db/repositories/organizations';
import { ContractService } from '../../domain/contracts/contract-service';
import { EXCLUSION_REASONS, type ExclusionReason } from '../../domain/contracts/credit-rules';
import type { StatementBody } from '../../domain/contracts/statement';
import { statementCsv } from '../../domain/contracts/statement-csv';
import { principalOfUser } from '../../domain/users/users';
import { csrfField } from './csrf';
import { html, type SafeHtml } from './html';
import { page } from './layout';
import { sessionOf } from './session';
import { Forbidden, InvalidInput, NotFound } from '../../core/errors';
import { UUID } from '../../core/uuid';

const PERIOD = /^(\d{4}-(\d{2}|Q[1-4])|current)$/;
const reasonLabel: Record<ExclusionReason, string> = { customer_caused: 'Customer-caused', planned_maintenance: 'Planned maintenance', force_majeure: 'Force majeure', duplicate: 'Duplicate' };

function statementHtml(s: StatementBody, o: { base: string; csrfToken?: string; canExclude: boolean; printable: boolean }): SafeHtml {
  const exclusionCell = (b: StatementBody['breaches'][number]) => {
    if (b.excluded) return html`${reasonLabel[b.excluded.reason]} (${b.excluded.by})${b.excluded.note ? html`: <q>${b.excluded.note}</q>` : ''}`;
    if (!o.canExclude || o.printable || s.status === 'final') return html`—`;
    return html`<form method="post" action="${o.base}/exclude" class="row">${csrfField(o.csrfToken ?? '')}<input type="hidden" name="eventId" value="${b.eventId}">
<label class="visually-hidden" for="r-${b.eventId}">Reason</label><select id="r-${b.eventId}" name="reason">${EXCLUSION_REASONS.map((r) => html`<option value="${r}">${reasonLabel[r]}</option>`)}</select>
<label class="visually-hidden" for="n-${b.eventId}">Note</label><input id="n-${b.eventId}" name="note" maxlength="2000" placeholder="note"><button type="submit">Exclude</button></form>`;
  };
  return html`<p>${s.status === 'final' ? 'Final' : 'Draft (the period is running)'} · ${s.period.start.slice(0, 10)} – ${s.period.end.slice(0, 10)} (${s.period.timezone}) · fee ${s.fee} ${s.currency}</p>
<p class="statement-total"><strong>Credit: ${s.total} ${s.currency}</strong>${s.capped ? html` (capped at ${s.cap!.percent}%; ${s.subtotal} before the cap)` : ''}</p>
<section aria-labelledby="st-ach"><h2 id="st-ach">Achievement</h2>
${s.achievement.length ? html`<table class="compact"><thead><tr><th scope="col">Clock</th><th scope="col">Priority</th><th scope="col">Measured</th><th scope="col">Met</th><th scope="col">Breached</th><th scope="col">Excluded</th><th scope="col">Achievement</th></tr></thead>
<tbody>${s.achievement.map((a) => html`<tr><td>${a.clock.replace('_', ' ')}</td><td>${a.priority}</td><td>${a.measured}</td><td>${a.met}</td><td>${a.breached}</td><td>${a.excluded}</td><td>${a.achievementPercent === null ? '—' : `${a.achievementPercent}%`}</td></tr>`)}</tbody></table>` : html`<p>No clock was met or breached in this period.</p>`}</section>
<section aria-labelledby="st-br"><h2 id="st-br">Breaches</h2>
${s.breaches.length ? html`<table class="compact statement-breaches"><thead><tr><th scope="col">Ticket</th><th scope="col">Clock</th><th scope="col">Priority</th><th scope="col">Due</th><th scope="col">Excluded</th></tr></thead>
<tbody>${s.breaches.map((b) => html`<tr><td>${o.printable || o.base.startsWith('/portal') ? b.number : html`<a href="/console/tickets/${b.ticketId}">${b.number}</a>`}${b.late ? ' (late, from the previous period)' : ''}</td><td>${b.clock.replace('_', ' ')}</td><td>${b.priority}</td><td><time datetime="${b.dueAt}">${b.dueAt.slice(0, 16).replace('T', ' ')} UTC</time></td><td>${exclusionCell(b)}</td></tr>`)}</tbody></table>` : html`<p>No breaches.</p>`}</section>
<section aria-labelledby="st-cr"><h2 id="st-cr">Credits</h2>
${s.lines.length ? html`<table class="compact statement-lines"><thead><tr><th scope="col">Rule</th><th scope="col">Credit</th><th scope="col">Amount (${s.currency})</th></tr></thead>
<tbody>${s.lines.map((l) => html`<tr><td>${l.description}</td><td>${l.creditPercent}%</td><td>${l.amount}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row" colspan="2">Total${s.capped ? ' (capped)' : ''}</th><td>${s.total}</td></tr></tfoot></table>` : html`<p>No credit is owed for this period.</p>`}</section>`;
}

export function consoleContractRoutes(db: Db): Router {
  const r = Router();
  const contracts = new ContractService(db, null);
  const orgOf = (req: Request) => {
    const id = String(req.params.orgId);
    if (!UUID.test(id)) throw new NotFound('page', 'no such page');
    return id;
  };
  const periodOf = (req: Request) => {
    const p = typeof req.params.period === 'string' ? req.params.period : typeof req.query.period === 'string' ? req.query.period : 'current';
    if (!PERIOD.test(p)) throw new NotFound('page', 'no such period');
    return p;
  };
  const canExclude = (req: Request) => ['admin', 'manager'].includes(sessionOf(req).user.role);

  r.get('/console/contracts', async (req, res) => {
    const s = sessionOf(req);
    const rows: SafeHtml[] = [];
    for (const org of await listOrganizations(db)) {
      const c = await contracts.get(org.id).catch(() => null);
      if (!c) continue;
      const now = await contracts.statement(org.id, 'current');
      rows.push(html`<tr><td><a href="/console/contracts/${org.id}">${org.name}</a></td><td>${c.period}</td><td>${c.fee} ${c.currency}</td><td>${now.period.key}</td><td>${now.total} ${now.currency}</td></tr>`);
    }
    const body = html`<h1>Contracts</h1>${rows.length ? html`<table class="compact"><thead><tr><th scope="col">Organization</th><th scope="col">Period</th><th scope="col">Fee</th><th scope="col">Running period</th><th scope="col">Credit so far</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No organization has a contract yet (PUT /api/v1/organizations/:id/contract).</p>`}`;
    res.type('html').send(page({ title: 'Contracts', user: s.user, csrfToken: s.csrfToken, nav: 'contracts', body }).value);
  });

  const statementPage = async (req: Request, res: Response, printable: boolean) => {
    const s = sessionOf(req);
    const org = orgOf(req);
    const st = await contracts.statement(org, periodOf(req));
    const periods = await contracts.periods(org);
    const base = `/console/contracts/${org}`;
    const picker = printable ? '' : html`<form method="get" action="${base}" class="row"><label for="period">Period</label><select id="period" name="period">${periods.map((p) => html`<option value="${p.key}"${p.key === st.period.key ? html` selected` : ''}>${p.key} (${p.status})</option>`)}</select><button type="submit">Show</button>
<a href="${base}/print?period=${st.period.key}">Printable</a> <a href="${base}/${st.period.key}.csv" download>CSV</a></form>`;
    const body = html`<h1>Statement ${st.period.key}</h1>${picker}${statementHtml(st, { base: `${base}/${st.period.key}`, csrfToken: s.csrfToken, canExclude: canExclude(req), printable })}`;
    res.type('html').send(page({ title: `Statement ${st.period.key}`, user: printable ? null : s.user, csrfToken: s.csrfToken, nav: 'contracts', notice: typeof req.query.notice === 'string' ? req.query.notice.slice(0, 200) : null, body }).value);
  };
  r.get('/console/contracts/:orgId', (req, res) => statementPage(req, res, false));
  r.get('/console/contracts/:orgId/print', (req, res) => statementPage(req, res, true));
  r.get('/console/contracts/:orgId/:period.csv', async (req, res) => {
    const st = await contracts.statement(orgOf(req), periodOf(req));
    res.type('text/csv').attachment(`statement-${st.period.key}.csv`).send(statementCsv(st));
  });
  r.post('/console/contracts/:orgId/:period/exclude', async (req, res) => {
    if (!canExclude(req)) throw new Forbidden('admins and managers exclude breaches');
    const org = orgOf(req);
    const form = req.body as Record<string, unknown>;
    const reason = String(form.reason ?? '');
    if (!(EXCLUSION_REASONS as readonly string[]).includes(reason)) throw new InvalidInput('choose a reason', [{ path: 'reason', message: 'one of ' + EXCLUSION_REASONS.join(', ') }]);
    const note = typeof form.note === 'string' && form.note.trim() ? form.note.trim().slice(0, 2000) : null;
    await contracts.exclude(principalOfUser(sessionOf(req).user), String(form.eventId ?? ''), { reason: reason as ExclusionReason, note });
    res.redirect(303, `/console/contracts/${org}?period=${periodOf(req)}&notice=${encodeURIComponent('Breach excluded')}`);
  });

  return r;
}

/** The portal's statements: the customer's own organization, only when its contract shows them. */
export function portalContractRoutes(db: Db): Router {
  const r = Router();
  const contracts = new ContractService(db, null);
  const periodOf = (req: Request) => {
    const p = typeof req.query.period === 'string' ? req.query.period : 'current';
    if (!PERIOD.test(p)) throw new NotFound('page', 'no such period');
    return p;
  };
  const portalStatement = async (req: Request, res: Response) => {
    const s = sessionOf(req);
    const org = s.user.organization_id!;
    const c = await contracts.get(org).catch(() => null);
    if (!c?.customerVisible) throw new NotFound('page', 'no such page');
    const st = await contracts.statement(org, periodOf(req));
    const periods = await contracts.periods(org);
    const body = html`<h1>Service credits ${st.period.key}</h1><form method="get" action="/portal/statements" class="row"><label for="period">Period</label><select id="period" name="period">${periods.map((p) => html`<option value="${p.key}"${p.key === st.period.key ? html` selected` : ''}>${p.key} (${p.status})</option>`)}</select><button type="submit">Show</button></form>${statementHtml(st, { base: '/portal/statements', canExclude: false, printable: false })}`;
    res.type('html').send(page({ title: `Service credits ${st.period.key}`, user: s.user, csrfToken: s.csrfToken, nav: 'portal', body }).value);
  };
  r.get('/portal/statements', portalStatement);
  return r;
}
