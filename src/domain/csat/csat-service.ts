/**
 * Customer satisfaction: what a survey link opens, and a rating. A rating is an action on the
 * ticket's workflow (like every change to a ticket), which records who held the ticket then,
 * puts it on the timeline and runs the low-rating actions; it is refused once the ticket is
 * closed. The API and the survey page both call this.
 */
import crypto from 'node:crypto';
import type { Db } from '../../db/schema';
import { Conflict, Forbidden, InvalidInput, NotFound, type FieldProblem } from '../../core/errors';
import { DEFAULT_CSAT_SETTINGS, type CsatSettings } from '../../core/csat-settings';
import { findSurvey, openSurveys, scoreRows, type ScoreGrouping, type SurveyWithTicket } from '../../db/repositories/csat-surveys';
import type { TicketAction } from '../../../workflows/contract/ticket';
import { SurveyLinks } from './survey-links';

export interface RatingInput {
  rating: number;
  reason?: string | null;
  comment?: string | null;
}

export interface CsatDeps {
  db: Db;
  settings?: CsatSettings;
  publicUrl: string;
  /** Sends an action to the ticket's workflow and waits until it is applied (TicketLifecycle.act). */
  act: (ticketId: string, action: TicketAction) => Promise<unknown>;
}

export interface Score {
  ratings: number;
  satisfied: number;
  /** satisfied ÷ ratings, null without ratings. */
  score: number | null;
}

const CLOSED = ['closed', 'cancelled'];

export class CsatService {
  readonly settings: CsatSettings;
  readonly links: SurveyLinks;

  constructor(private readonly deps: CsatDeps) {
    this.settings = deps.settings ?? { ...DEFAULT_CSAT_SETTINGS };
    this.links = new SurveyLinks(deps.db, this.settings.secret, deps.publicUrl);
  }

  /** The survey a link is for: refused when tampered with (403) or expired (403), 404 when no survey was sent. */
  async open(token: string): Promise<SurveyWithTicket> {
    const link = await this.links.check(token, Date.now());
    if (link === 'invalid') throw new Forbidden('this survey link is not valid', 'invalid_survey_link');
    if (link === 'expired') throw new Forbidden('this survey link has expired', 'survey_link_expired');
    const survey = await findSurvey(this.deps.db, link.ticketId);
    if (!survey) throw new NotFound('survey');
    return survey;
  }

  /** Whether a survey still takes a rating (its ticket not closed). */
  takesRating(survey: SurveyWithTicket): boolean {
    return !CLOSED.includes(survey.status);
  }

  /** Rates (or re-rates) the ticket; nothing is changed when the input or the ticket's state refuses it. */
  async rate(token: string, input: RatingInput): Promise<SurveyWithTicket> {
    const survey = await this.open(token);
    const reason = input.reason?.trim() || null;
    const comment = input.comment?.trim() || null;
    const problems = this.problems(input.rating, reason);
    if (problems.length) throw new InvalidInput(`invalid rating: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
    if (!this.takesRating(survey)) throw new Conflict('survey_closed', `the ticket is ${survey.status}: its rating can no longer change`);
    await this.deps.act(survey.ticketId, {
      kind: 'rate',
      actionId: crypto.randomUUID(),
      actor: { type: 'customer', name: survey.requesterEmail },
      rating: input.rating,
      reason,
      comment,
      lowRatingActions: this.settings.lowRatingActions,
    });
    return (await findSurvey(this.deps.db, survey.ticketId))!;
  }

  private problems(rating: number, reason: string | null): FieldProblem[] {
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) return [{ path: 'rating', message: 'a whole number from 1 to 5' }];
    if (rating <= 2 && reason === null) return [{ path: 'reason', message: `a rating of ${rating} needs a reason: one of ${this.settings.reasons.join(', ')}` }];
    if (rating <= 2 && !this.settings.reasons.includes(reason!)) return [{ path: 'reason', message: `not one of the reasons: ${this.settings.reasons.join(', ')}` }];
    if (rating > 2 && reason !== null) return [{ path: 'reason', message: 'a reason is given for ratings of 1 or 2 only' }];
    return [];
  }

  /** Survey links for the portal: tickets among these whose survey still takes a rating. */
  async prompts(ticketIds: string[]): Promise<Map<string, { url: string; rating: number | null }>> {
    const open = await openSurveys(this.deps.db, ticketIds, new Date());
    const out = new Map<string, { url: string; rating: number | null }>();
    for (const s of open) out.set(s.ticketId, { url: await this.links.url(s.ticketId, s.expiresAt), rating: s.rating });
    return out;
  }

  survey(ticketId: string): Promise<SurveyWithTicket | undefined> {
    return findSurvey(this.deps.db, ticketId);
  }

  /** Share of 4–5 among the ratings given in [from, to), overall and per group. */
  async score(range: { from: Date; to: Date }, by: ScoreGrouping | null): Promise<{ overall: Score; groups: Array<Score & { key: string | null; label: string | null }> }> {
    const [overall] = await scoreRows(this.deps.db, range, null);
    const groups = by ? await scoreRows(this.deps.db, range, by) : [];
    return { overall: scoreOf(overall ?? { ratings: 0, satisfied: 0 }), groups: groups.map((g) => ({ key: g.key, label: g.label, ...scoreOf(g) })) };
  }
}

function scoreOf(r: { ratings: number; satisfied: number }): Score {
  return { ratings: r.ratings, satisfied: r.satisfied, score: r.ratings === 0 ? null : Math.round((r.satisfied / r.ratings) * 10_000) / 10_000 };
}
