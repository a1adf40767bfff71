/**
 * The knowledge-base report in the console (agents and admins): over the last N days, the
 * searches that found nothing, the most viewed articles, the rewrite queue (least helpful with
 * enough votes) and the articles that deflected tickets. See src/domain/kb/kb-report.ts.
 */
import { Router } from 'express';
import type { Db } from '../../db/schema';
import { kbReport } from '../../domain/kb/kb-report';
import { html } from './html';
import { kbPage } from './kb-console-layout';

const WINDOWS = [7, 30, 90, 365] as const;
const MIN_VOTES = 3;
const LIMIT = 20;

export function kbReportPageRoutes(db: Db): Router {
  const r = Router();
  r.get('/console/kb/report', async (req, res) => {
    const asked = Number(req.query.days);
    const days = (WINDOWS as readonly number[]).includes(asked) ? asked : 30;
    const minVotes = MIN_VOTES;
    const rep = await kbReport(db, { days, minVotes, limit: LIMIT });
    const link = (id: string, title: string) => html`<a href="/console/kb/articles/${id}">${title}</a>`;
    const body = html`<form method="get" action="/console/kb/report" class="row"><label for="kb-days">Window</label>
<select id="kb-days" name="days">${WINDOWS.map((d) => html`<option value="${d}"${d === days ? html` selected` : ''}>last ${d} days</option>`)}</select><button type="submit">Show</button></form>
<p class="kb-totals">${rep.totals.searches} searches (${rep.totals.noHitSearches} without hits) · ${rep.totals.views} article views · ${rep.totals.votes} votes · ${rep.totals.deflections} deflections</p>
<section aria-labelledby="kb-r-nohits"><h2 id="kb-r-nohits">Searches with no hits</h2>
${rep.noHits.length ? html`<table class="kb-no-hits"><thead><tr><th scope="col">Query</th><th scope="col">Searches</th><th scope="col">Who</th><th scope="col">Last</th></tr></thead>
<tbody>${rep.noHits.map((n) => html`<tr><td>${n.query}</td><td>${n.searches}</td><td>${n.callers.join(', ')}</td><td><time datetime="${n.lastAt.toISOString()}">${n.lastAt.toISOString().slice(0, 16).replace('T', ' ')}</time></td></tr>`)}</tbody></table>` : html`<p>Every search found something.</p>`}</section>
<section aria-labelledby="kb-r-viewed"><h2 id="kb-r-viewed">Most viewed</h2>
${rep.mostViewed.length ? html`<table class="kb-most-viewed"><thead><tr><th scope="col">Article</th><th scope="col">Views</th><th scope="col">State</th></tr></thead>
<tbody>${rep.mostViewed.map((a) => html`<tr><td>${link(a.articleId, a.title)}</td><td>${a.views}</td><td>${a.state}</td></tr>`)}</tbody></table>` : html`<p>No views yet.</p>`}</section>
<section aria-labelledby="kb-r-rewrite"><h2 id="kb-r-rewrite">Least helpful (rewrite queue)</h2>
<p>Articles with at least ${minVotes} votes, the lowest share of “yes” first.</p>
${rep.leastHelpful.length ? html`<table class="kb-least-helpful"><thead><tr><th scope="col">Article</th><th scope="col">Helpful</th><th scope="col">Yes</th><th scope="col">No</th><th scope="col">Latest comments</th></tr></thead>
<tbody>${rep.leastHelpful.map((a) => html`<tr><td>${link(a.articleId, a.title)}</td><td>${Math.round(a.ratio * 100)}%</td><td>${a.helpful}</td><td>${a.notHelpful}</td><td>${a.comments.map((c) => html`<q>${c}</q> `)}</td></tr>`)}</tbody></table>` : html`<p>No article has enough votes yet.</p>`}</section>
<section aria-labelledby="kb-r-deflect"><h2 id="kb-r-deflect">Deflections</h2>
<p>A customer opened a suggested article while writing a ticket and did not send it.</p>
${rep.deflections.length ? html`<table class="kb-deflections"><thead><tr><th scope="col">Article</th><th scope="col">Deflections</th></tr></thead>
<tbody>${rep.deflections.map((a) => html`<tr><td>${link(a.articleId, a.title)}</td><td>${a.deflections}</td></tr>`)}</tbody></table>` : html`<p>No deflections recorded yet.</p>`}</section>`;
    res.type('html').send(kbPage(req, 'Knowledge-base report', body));
  });
  return r;
}
