/**
 * SLA preview: given a policy, a creation instant and a hypothetical event
 * history, say when each clock is due, whether it was met, and when each
 * ladder step would fire. The HTTP layer validates input and calls this; the
 * ticket workflow reuses resolutionTimeline so preview and reality share one
 * pause rule.
 */
import { BusinessCalendar, CalendarSpec } from './business-calendar';
import { ClockResult, evaluateClock } from './sla-clock';
import { MINUTE_MS } from './zone-offsets';

export interface PreviewPolicy {
  calendar: CalendarSpec;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  pauseOn: string[];
  escalations: Array<{ percent: number }>;
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
): { firstResponse: PreviewClock; resolution: PreviewClock } {
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
  return { firstResponse: toPreview(firstResponse), resolution: toPreview(resolution) };
}
