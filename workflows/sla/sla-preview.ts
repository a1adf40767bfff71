/**
 * SLA preview: given a policy, a creation instant and a hypothetical event
 * history, say when each clock is due, whether it was met, and when each
 * ladder step would fire. The HTTP layer validates input and calls this; the
 * ticket workflow reuses resolutionTimeline so preview and reality share one
 * pause rule.
 */
import { BusinessCalendar, CalendarSpec } from './business-calendar';
import { ClockResult, evaluateClock } from './sla-clock';
import { evaluateCycles, nextReplyCycles, type ReplyEvent } from './reply-cycles';
import { MINUTE_MS } from './zone-offsets';

export interface PreviewPolicy {
  calendar: CalendarSpec;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  pauseOn: string[];
  escalations: Array<{ percent: number }>;
  /** Null or absent: no next-reply clock. */
  nextReplyMinutes?: number | null;
  /** The next-reply clock's own ladder; absent = the policy's escalations. */
  nextReplyEscalations?: Array<{ percent: number }>;
}

export type PreviewEvent =
  | { at: number; type: 'agent_reply' }
  | { at: number; type: 'customer_reply' }
  | { at: number; type: 'internal_note' }
  | { at: number; type: 'status'; status: string };

export interface PreviewClock {
  dueAt: string | null;
  metAt: string | null;
  breached: boolean | null;
  escalations: Array<{ percent: number; at: string | null }>;
}

export interface PreviewCycle extends PreviewClock {
  startedAt: string;
}

export interface SlaPreview {
  firstResponse: PreviewClock;
  resolution: PreviewClock;
  nextReply: PreviewCycle[];
}

/** Statuses after which no reply is owed: a running next-reply cycle ends there. */
export const REPLY_ENDING_STATUSES: readonly string[] = ['solved', 'closed', 'cancelled'];

/** The preview's events as the next-reply clock sees them: the first agent reply is the first response. */
export function replyEvents(events: PreviewEvent[]): ReplyEvent[] {
  let responded = false;
  const out: ReplyEvent[] = [];
  for (const e of chronological(events)) {
    if (e.type === 'agent_reply') {
      out.push({ at: e.at, type: responded ? 'agent_reply' : 'first_response' });
      responded = true;
    } else if (e.type === 'customer_reply') out.push({ at: e.at, type: 'customer_reply' });
    else if (e.type === 'status' && REPLY_ENDING_STATUSES.includes(e.status)) out.push({ at: e.at, type: 'end' });
  }
  return out;
}

export interface ResolutionTimeline {
  pauses: Array<{ from: number; to: number | null }>;
  metAt: number | null;
}

/** Events in time order; equal instants keep their given order (Array#sort is stable). */
function chronological(events: PreviewEvent[]): PreviewEvent[] {
  return [...events].sort((a, b) => a.at - b.at);
}

/**
 * Resolution pauses and met instant from a ticket's status history: the first
 * `solved` meets the clock; entering a pauseOn status pauses it until a status
 * outside pauseOn; moving between pauseOn statuses keeps the one pause going.
 * Nothing after the met instant matters.
 */
export function resolutionTimeline(startedAt: number, events: PreviewEvent[], pauseOn: string[]): ResolutionTimeline {
  const pausing = new Set(pauseOn);
  const pauses: ResolutionTimeline['pauses'] = [];
  let pausedFrom: number | null = null;
  const close = (at: number): void => {
    // A pause cannot begin before the clock does.
    const from = pausedFrom === null ? null : Math.max(pausedFrom, startedAt);
    if (from !== null && at > from) pauses.push({ from, to: at });
    pausedFrom = null;
  };
  for (const event of chronological(events)) {
    if (event.type !== 'status') continue;
    if (event.status === 'solved') {
      close(event.at);
      return { pauses, metAt: event.at };
    }
    if (pausing.has(event.status)) {
      if (pausedFrom === null) pausedFrom = event.at;
    } else {
      close(event.at);
    }
  }
  if (pausedFrom !== null) pauses.push({ from: Math.max(pausedFrom, startedAt), to: null });
  return { pauses, metAt: null };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function toPreview(result: ClockResult): PreviewClock {
  return {
    dueAt: iso(result.dueAt),
    metAt: iso(result.metAt),
    breached: result.breached,
    escalations: result.escalations.map((e) => ({ percent: e.percent, at: iso(e.at) })),
  };
}

/** Throws CalendarError when the policy's calendar is invalid. */
export function previewSla(
  policy: PreviewPolicy,
  createdAt: number,
  events: PreviewEvent[],
): SlaPreview {
  const calendar = BusinessCalendar.from(policy.calendar);
  const percents = policy.escalations.map((e) => e.percent);
  const firstReply = chronological(events).find((e) => e.type === 'agent_reply');
  const firstResponse = evaluateClock({
    calendar,
    startedAt: createdAt,
    targetMs: policy.firstResponseMinutes * MINUTE_MS,
    percents,
    pauses: [],
    metAt: firstReply ? firstReply.at : null,
  });
  const timeline = resolutionTimeline(createdAt, events, policy.pauseOn);
  const resolution = evaluateClock({
    calendar,
    startedAt: createdAt,
    targetMs: policy.resolutionMinutes * MINUTE_MS,
    percents,
    pauses: timeline.pauses,
    metAt: timeline.metAt,
  });
  const nextReply: PreviewCycle[] = [];
  if (policy.nextReplyMinutes !== undefined && policy.nextReplyMinutes !== null) {
    const nrPercents = (policy.nextReplyEscalations ?? policy.escalations).map((e) => e.percent);
    const cycles = nextReplyCycles(replyEvents(events));
    evaluateCycles(calendar, policy.nextReplyMinutes * MINUTE_MS, nrPercents, cycles).forEach((result, i) => {
      nextReply.push({ startedAt: new Date(cycles[i]!.startedAt).toISOString(), ...toPreview(result) });
    });
  }
  return { firstResponse: toPreview(firstResponse), resolution: toPreview(resolution), nextReply };
}
