/**
 * Customer-satisfaction settings, parsed once from the environment with the rest of the
 * integration configuration: how long after a solve the survey goes out, how long its link
 * stays valid, the reasons a low rating picks from, the ladder-style actions a low rating
 * runs, and the secret that signs survey links. Without PACER_CSAT_SECRET, Pacer keeps a
 * generated secret in the database, so every API process and worker signs alike.
 */
import { z } from 'zod';

/** A ladder action as the action registry runs it (workflows/contract/ticket.ts ActionSpec). */
export interface CsatActionSpec {
  type: string;
  [option: string]: unknown;
}

export interface CsatSettings {
  /** Minutes after the ticket is solved before its survey is sent (if it is still solved). */
  delayMinutes: number;
  /** Days a survey link stays valid after it is sent. */
  linkDays: number;
  /** What a rating of 1 or 2 must name as its reason. */
  reasons: string[];
  /** Run when a ticket's rating becomes 1 or 2. */
  lowRatingActions: CsatActionSpec[];
  /** Signs survey links; absent: the database's generated secret. */
  secret?: string;
}

export const DEFAULT_CSAT_SETTINGS: Readonly<CsatSettings> = Object.freeze({
  delayMinutes: 24 * 60,
  linkDays: 30,
  reasons: ['Too slow', 'Problem not solved', 'Unhelpful answer', 'Had to repeat myself', 'Other'],
  lowRatingActions: [{ type: 'notify', role: 'manager' }],
});

const actionList = z.array(z.looseObject({ type: z.string().min(1).max(100) })).max(10);

const schema = z.object({
  PACER_CSAT_DELAY_MINUTES: z.coerce.number().int().min(0).max(60 * 24 * 60).optional(),
  PACER_CSAT_LINK_DAYS: z.coerce.number().int().min(1).max(365).optional(),
  /** Reasons separated by `|` (a reason may hold commas). */
  PACER_CSAT_REASONS: z.string().optional(),
  /** A JSON array of ladder actions, e.g. [{"type":"email","role":"manager"}]; [] for none. */
  PACER_CSAT_LOW_RATING_ACTIONS: z.string().optional(),
  PACER_CSAT_SECRET: z.string().optional(),
});

export function loadCsatSettings(env: NodeJS.ProcessEnv): CsatSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid CSAT configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  const reasons = e.PACER_CSAT_REASONS?.split('|').map((r) => r.trim()).filter(Boolean);
  let actions: CsatActionSpec[] | undefined;
  if (e.PACER_CSAT_LOW_RATING_ACTIONS?.trim()) {
    let json: unknown;
    try {
      json = JSON.parse(e.PACER_CSAT_LOW_RATING_ACTIONS);
    } catch {
      json = undefined;
    }
    const list = actionList.safeParse(json);
    if (!list.success) throw new Error('invalid CSAT configuration: PACER_CSAT_LOW_RATING_ACTIONS must be a JSON array of actions with a "type"');
    actions = list.data;
  }
  const secret = e.PACER_CSAT_SECRET?.trim();
  if (secret !== undefined && secret !== '' && secret.length < 16) throw new Error('invalid CSAT configuration: PACER_CSAT_SECRET must be at least 16 characters');
  return {
    delayMinutes: e.PACER_CSAT_DELAY_MINUTES ?? DEFAULT_CSAT_SETTINGS.delayMinutes,
    linkDays: e.PACER_CSAT_LINK_DAYS ?? DEFAULT_CSAT_SETTINGS.linkDays,
    reasons: reasons?.length ? reasons : [...DEFAULT_CSAT_SETTINGS.reasons],
    lowRatingActions: actions ?? [...DEFAULT_CSAT_SETTINGS.lowRatingActions],
    ...(secret && { secret }),
  };
}
