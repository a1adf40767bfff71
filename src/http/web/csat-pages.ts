/**
 * The satisfaction survey page a survey link opens: server-rendered, one plain form (no
 * script), no sign-in (the signed token in the address is the credential). It rates through
 * the same CsatService as PUT /api/v1/csat/surveys/:token, so a refusal reads alike: a bad
 * field comes back on the form (400) with nothing changed, a closed ticket 409, a tampered or
 * expired link 403.
 */
import { Router, type Request, type Response } from 'express';
import type { CsatService } from '../../domain/csat/csat-service';
import type { SurveyWithTicket } from '../../db/repositories/csat-surveys';
import { PacerError, type FieldProblem } from '../../core/errors';
import { errorAnswer } from '../kit/errors';
import { formText, formValue } from '../kit/form';
import { html, type SafeHtml } from './html';
import { page } from './layout';

const TOKEN = /^[A-Za-z0-9._-]{1,200}$/;
const LABELS = ['', 'Very unhappy', 'Unhappy', 'Neither', 'Happy', 'Very happy'];

interface Draft {
  rating: number | null;
  reason: string | null;
  comment: string | null;
}

function form(csat: CsatService, token: string, s: SurveyWithTicket, draft: Draft, problems: FieldProblem[]): SafeHtml {
  const problem = (path: string) => {
    const p = problems.find((x) => x.path === path);
    return p ? html`<p class="field-error" id="${path}-error" role="alert">${p.message}</p>` : '';
  };
  return html`<form method="post" action="/csat/${token}" class="stack card" aria-label="Rate this ticket">
<fieldset${problems.some((p) => p.path === 'rating') ? html` aria-describedby="rating-error"` : ''}>
<legend>How satisfied are you with how we handled it?</legend>
${[5, 4, 3, 2, 1].map((n) => html`<label class="rating-choice"><input type="radio" name="rating" value="${n}"${draft.rating === n ? html` checked` : ''} required> ${n} — ${LABELS[n]}</label>`)}
${problem('rating')}
</fieldset>
<label for="reason">If you chose 1 or 2: what went wrong?</label>
<select id="reason" name="reason"${problems.some((p) => p.path === 'reason') ? html` aria-describedby="reason-error" aria-invalid="true"` : ''}>
<option value="">—</option>
${csat.settings.reasons.map((r) => html`<option value="${r}"${draft.reason === r ? html` selected` : ''}>${r}</option>`)}
</select>
${problem('reason')}
<label for="comment">Anything else? (optional)</label>
<textarea id="comment" name="comment" rows="4" maxlength="2000">${draft.comment ?? ''}</textarea>
${problem('comment')}
<button type="submit" class="primary">${s.rating === null ? 'Send my rating' : 'Change my rating'}</button>
</form>`;
}

function surveyPage(csat: CsatService, token: string, s: SurveyWithTicket, opts: { draft?: Draft; problems?: FieldProblem[]; notice?: string | null; error?: string | null } = {}): string {
  const open = csat.takesRating(s);
  const current = s.rating === null ? '' : html`<p id="current-rating">Your rating: <strong>${s.rating} — ${LABELS[s.rating]}</strong>${s.reason ? html` (${s.reason})` : ''}</p>`;
  const body = html`<h1>How did we do?</h1>
<p>Ticket <strong>${s.number}</strong>: ${s.subject}</p>
${current}
${open ? form(csat, token, s, opts.draft ?? { rating: s.rating, reason: s.reason, comment: s.comment }, opts.problems ?? []) : html`<p id="survey-closed">This ticket is closed, so its rating can no longer change. Thank you!</p>`}`;
  return page({ title: `How did we do? ${s.number}`, notice: opts.notice ?? null, error: opts.error ?? null, body }).value;
}

export function csatPageRoutes(csat: CsatService): Router {
  const r = Router();
  const tokenOf = (req: Request) => {
    const t = req.params.token;
    return typeof t === 'string' && TOKEN.test(t) ? t : '';
  };

  r.get('/csat/:token', async (req, res) => {
    const token = tokenOf(req);
    res.type('html').send(surveyPage(csat, token, await csat.open(token)));
  });

  r.post('/csat/:token', async (req: Request, res: Response) => {
    const token = tokenOf(req);
    const survey = await csat.open(token);
    const rating = Number(formValue(req, 'rating'));
    // The form always sends the list; a reason left selected with a good rating is not the customer's point.
    const reasonText = formText(req, 'reason');
    const draft: Draft = { rating: Number.isInteger(rating) ? rating : null, reason: rating <= 2 && reasonText ? reasonText : null, comment: formText(req, 'comment') || null };
    if ((draft.comment?.length ?? 0) > 2000) {
      const problems = [{ path: 'comment', message: 'at most 2000 characters' }];
      return void res.status(400).type('html').send(surveyPage(csat, token, survey, { draft, problems, error: 'Please check the form.' }));
    }
    try {
      const rated = await csat.rate(token, { rating: draft.rating ?? NaN, reason: draft.reason, comment: draft.comment });
      res.type('html').send(surveyPage(csat, token, rated, { notice: 'Thank you — your rating was saved.' }));
    } catch (err) {
      if (!(err instanceof PacerError) || err.kind !== 'invalid_input') throw err;
      const { status } = errorAnswer(err);
      res.status(status).type('html').send(surveyPage(csat, token, survey, { draft, problems: err.details ?? [], error: 'Please check the form.' }));
    }
  });
  return r;
}
