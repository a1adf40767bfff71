/**
 * The routing planner: from a group's snapshot and "now", which queued tickets go to which
 * agents, which held tickets go back to the queue, and when to look again. Pure and
 * deterministic (no I/O, no clock, every tie broken by an id), so the routing workflow replays
 * it and the unit tests pin it.
 *
 * Every strategy respects the hard limits: the agent is online and working now, under their
 * capacity (in total and for the ticket's priority), has the skills a rule asked for and speaks
 * the ticket's language. Strategies differ in which ticket goes first and which agent it gets:
 * - round_robin: oldest queued first, to the agent picked longest ago;
 * - least_loaded: oldest queued first, to the agent with the fewest open tickets;
 * - skill_based: oldest queued first, to the agent with the most skill on what it needs;
 * - deadline_aware: least business time left first, only to agents whose shift leaves
 *   `answerMinutes` before min(shift end, deadline), the least loaded of them.
 */
import {
  assignDecisionId,
  releaseDecisionId,
  type Assignment,
  type QueuedTicket,
  type Release,
  type RoutingAgent,
  type RoutingPlan,
  type RoutingSnapshot,
  type RoutingStrategy,
} from '../contract/routing';

const MINUTE = 60_000;

/** The agent as the plan goes: load grows with each assignment of this pass. */
interface AgentTally {
  agent: RoutingAgent;
  load: number;
  loadByPriority: Partial<Record<string, number>>;
  /** Order of picks in this pass (round-robin puts them behind everyone not yet picked). */
  pickedInPass: number | null;
}

export function planRouting(snapshot: RoutingSnapshot, now: number): RoutingPlan {
  const { group } = snapshot;
  const releases = planReleases(snapshot, now);
  const released = new Set(releases.map((r) => r.ticketId));
  const tallies: AgentTally[] = [...snapshot.agents]
    .sort((a, b) => compare(a.userId, b.userId))
    .map((agent) => ({ agent, load: agent.load, loadByPriority: { ...agent.loadByPriority }, pickedInPass: null }));
  let picks = 0;

  const assignments: Assignment[] = [];
  for (const ticket of ticketOrder(group.strategy, snapshot.queued)) {
    if (released.has(ticket.ticketId)) continue;
    const fit = tallies.filter((t) => canTake(t, ticket, group.strategy, group.answerMinutes, now));
    const chosen = chooseAgent(group.strategy, fit, ticket);
    if (!chosen) continue;
    assignments.push({
      ticketId: ticket.ticketId,
      agentUserId: chosen.agent.userId,
      agentEmail: chosen.agent.email,
      decisionId: assignDecisionId(ticket.ticketId, ticket.queuedAt),
      reason: {
        strategy: group.strategy,
        rule: ticket.rule,
        deadlineAt: iso(ticket.deadlineAt),
        businessMinutesLeft: ticket.businessMsLeft === null ? null : Math.floor(ticket.businessMsLeft / MINUTE),
        load: chosen.load,
        capacity: chosen.agent.capacity,
        skills: ticket.requiredSkills,
        language: ticket.language,
        shiftEndsAt: iso(chosen.agent.shiftEndsAt),
        summary: summaryOf(group.strategy, ticket, chosen),
      },
    });
    chosen.load += 1;
    chosen.loadByPriority[ticket.priority] = (chosen.loadByPriority[ticket.priority] ?? 0) + 1;
    chosen.pickedInPass = picks++;
  }
  return { assignments, releases, wakeAt: nextWake(snapshot, now) };
}

/** The tickets agents may no longer hold: offline, away past the limit, or a shift that ended before their clocks come due. */
export function planReleases(snapshot: RoutingSnapshot, now: number): Release[] {
  const { group } = snapshot;
  const out: Release[] = [];
  for (const agent of [...snapshot.agents].sort((a, b) => compare(a.userId, b.userId))) {
    const held = [...agent.held].sort((a, b) => compare(a.ticketId, b.ticketId));
    const release = (ticketId: string, reason: Release['reason']) =>
      out.push({ ticketId, agentUserId: agent.userId, agentEmail: agent.email, decisionId: releaseDecisionId(ticketId, agent.userId, now), reason });
    if (agent.status === 'offline' && group.releaseOnOffline) {
      for (const t of held) release(t.ticketId, { cause: 'offline', since: iso(agent.statusSince), backAt: null, deadlineAt: iso(t.deadlineAt), summary: `${agent.email} went offline` });
      continue;
    }
    if (agent.status === 'away' && awayLimitPassed(agent, group.awayReleaseMinutes, now)) {
      for (const t of held) {
        release(t.ticketId, { cause: 'away', since: iso(agent.statusSince), backAt: null, deadlineAt: iso(t.deadlineAt), summary: `${agent.email} away for more than ${group.awayReleaseMinutes} minutes` });
      }
      continue;
    }
    if (!agent.workingNow && group.releaseOnShiftEnd) {
      // Only tickets whose clock comes due before the agent is back; the rest can wait for them.
      for (const t of held) {
        if (t.deadlineAt === null || (agent.backAt !== null && t.deadlineAt >= agent.backAt)) continue;
        release(t.ticketId, {
          cause: 'shift_end',
          since: null,
          backAt: iso(agent.backAt),
          deadlineAt: iso(t.deadlineAt),
          summary: agent.backAt === null ? `${agent.email}'s shift ended and no next shift is planned` : `${agent.email}'s shift ended; due before they are back`,
        });
      }
    }
  }
  return out;
}

function awayLimitPassed(agent: RoutingAgent, limitMinutes: number | null, now: number): boolean {
  if (limitMinutes === null) return false;
  // Away since an unknown instant: count from now, i.e. not yet past the limit.
  return agent.statusSince !== null && now - agent.statusSince >= limitMinutes * MINUTE;
}

/** The queue in the order the strategy serves it. */
export function ticketOrder(strategy: RoutingStrategy, queued: QueuedTicket[]): QueuedTicket[] {
  const fifo = (a: QueuedTicket, b: QueuedTicket) => a.queuedAt - b.queuedAt || compare(a.ticketId, b.ticketId);
  if (strategy !== 'deadline_aware') return [...queued].sort(fifo);
  // Least business time left first (the due instant breaks ties between calendars); a ticket with no clock after every one that has one.
  return [...queued].sort(
    (a, b) => order(a.businessMsLeft ?? Infinity, b.businessMsLeft ?? Infinity) || order(a.deadlineAt ?? Infinity, b.deadlineAt ?? Infinity) || fifo(a, b),
  );
}

/** Numbers in order, Infinity included (a difference of two would be NaN). */
function order(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The hard limits, and for deadline-aware the time to answer. */
function canTake(t: AgentTally, ticket: QueuedTicket, strategy: RoutingStrategy, answerMinutes: number, now: number): boolean {
  const a = t.agent;
  if (a.status !== 'online' || !a.workingNow) return false;
  if (t.load >= a.capacity) return false;
  const perPriority = a.capacityByPriority[ticket.priority];
  if (perPriority !== undefined && (t.loadByPriority[ticket.priority] ?? 0) >= perPriority) return false;
  if (ticket.language !== null && a.languages.length > 0 && !a.languages.some((l) => primaryLanguage(l) === primaryLanguage(ticket.language!))) return false;
  if (!ticket.requiredSkills.every((req) => skillLevel(a, req.name) >= req.minLevel)) return false;
  if (strategy === 'deadline_aware') {
    const until = Math.min(a.shiftEndsAt ?? Infinity, ticket.deadlineAt ?? Infinity);
    if (until - now < answerMinutes * MINUTE) return false;
  }
  return true;
}

/** `en-GB` speaks `en`: languages compare by their primary subtag. */
function primaryLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

function skillLevel(agent: RoutingAgent, name: string): number {
  const wanted = name.toLowerCase();
  return agent.skills.reduce((best, s) => (s.name.toLowerCase() === wanted ? Math.max(best, s.level) : best), 0);
}

function chooseAgent(strategy: RoutingStrategy, fit: AgentTally[], ticket: QueuedTicket): AgentTally | null {
  const byLoad = (a: AgentTally, b: AgentTally) => a.load - b.load || order(a.load / Math.max(a.agent.capacity, 1), b.load / Math.max(b.agent.capacity, 1));
  const byId = (a: AgentTally, b: AgentTally) => compare(a.agent.userId, b.agent.userId);
  let by: (a: AgentTally, b: AgentTally) => number;
  switch (strategy) {
    case 'round_robin':
      by = (a, b) => order(roundRobinKey(a), roundRobinKey(b)) || (a.pickedInPass ?? -1) - (b.pickedInPass ?? -1) || byId(a, b);
      break;
    case 'least_loaded':
      by = (a, b) => byLoad(a, b) || byId(a, b);
      break;
    case 'skill_based': {
      const score = (t: AgentTally) => ticket.requiredSkills.reduce((sum, req) => sum + skillLevel(t.agent, req.name), 0);
      by = (a, b) => score(b) - score(a) || byLoad(a, b) || byId(a, b);
      break;
    }
    case 'deadline_aware':
      // Among those with time to answer: the least loaded, then the longest shift left.
      by = (a, b) => byLoad(a, b) || order(b.agent.shiftEndsAt ?? Infinity, a.agent.shiftEndsAt ?? Infinity) || byId(a, b);
      break;
  }
  return [...fit].sort(by)[0] ?? null;
}

/** Never picked first, then picked longest ago; someone picked in this pass goes behind everyone else. */
function roundRobinKey(t: AgentTally): number {
  if (t.pickedInPass !== null) return Number.MAX_SAFE_INTEGER;
  return t.agent.lastPickedAt ?? -Number.MAX_SAFE_INTEGER;
}

/** The earliest instant after now at which a plan could change without a signal. */
export function nextWake(snapshot: RoutingSnapshot, now: number): number | null {
  const { group } = snapshot;
  const times: number[] = [];
  for (const a of snapshot.agents) {
    if (a.workingNow && a.shiftEndsAt !== null) times.push(a.shiftEndsAt);
    if (!a.workingNow && a.backAt !== null) times.push(a.backAt);
    if (a.status === 'away' && group.awayReleaseMinutes !== null && a.statusSince !== null && a.held.length > 0) times.push(a.statusSince + group.awayReleaseMinutes * MINUTE);
  }
  // Deadline-aware: a ticket's window shrinks as its deadline nears; an agent whose shift end is the limit drops out, so wake then too.
  if (group.strategy === 'deadline_aware' && snapshot.queued.length > 0) {
    for (const a of snapshot.agents) if (a.workingNow && a.shiftEndsAt !== null) times.push(a.shiftEndsAt - group.answerMinutes * MINUTE);
  }
  const future = times.filter((t) => t > now);
  return future.length ? Math.min(...future) : null;
}

function summaryOf(strategy: RoutingStrategy, ticket: QueuedTicket, to: AgentTally): string {
  const load = `${to.load}/${to.agent.capacity} open`;
  switch (strategy) {
    case 'round_robin':
      return `round-robin: ${to.agent.email} was next (${load})`;
    case 'least_loaded':
      return `least loaded: ${to.agent.email} (${load})`;
    case 'skill_based':
      return ticket.requiredSkills.length
        ? `skills ${ticket.requiredSkills.map((s) => `${s.name}≥${s.minLevel}`).join(', ')}: ${to.agent.email} (${load})`
        : `no skills required: ${to.agent.email}, least loaded (${load})`;
    case 'deadline_aware':
      return ticket.businessMsLeft === null
        ? `no clock running: ${to.agent.email} (${load})`
        : `${Math.floor(ticket.businessMsLeft / MINUTE)} business minutes left: ${to.agent.email} has time to answer (${load})`;
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Plain code-unit order: the same everywhere (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
