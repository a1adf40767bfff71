/**
 * The routing workflow's contract: one workflow per routing group (`routing:<groupId>`), the
 * signals that feed it, its input (which carries the queue over continue-as-new), the snapshot
 * its activity reads each pass, and the decisions the pure planner makes from it. Side-effect
 * free, so the workflow bundle, the activities and the API share it. Instants are epoch ms.
 */
import { defineSignal } from '@temporalio/workflow';
import type { Actor, Priority } from './ticket';

export const ROUTING_STRATEGIES = ['round_robin', 'least_loaded', 'skill_based', 'deadline_aware'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export const AGENT_STATUSES = ['online', 'away', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Who assigns and releases on routing's behalf: the ticket's timeline and its validator see this actor. */
export const ROUTING_ACTOR: Actor = { type: 'system', name: 'routing' };

/** Why a ticket entered the queue. */
export type RouteReason = 'new' | 'reopened' | 'released' | 'unassigned';

export interface RouteTicket {
  ticketId: string;
  reason: RouteReason;
}

/** A ticket to route (new, reopened, unassigned by hand, released by an agent's status). */
export const routeTicketSignal = defineSignal<[RouteTicket]>('routeTicket');
/** An agent's status, profile or load changed: plan again (userId null: a ticket of the group freed an agent's capacity). */
export const agentChangedSignal = defineSignal<[{ userId: string | null }]>('agentChanged');

export function routingWorkflowId(groupId: string): string {
  return `routing:${groupId}`;
}

/** One ticket waiting in the group's queue, as the workflow holds it. */
export interface QueueEntry {
  ticketId: string;
  reason: RouteReason;
  /** When the workflow queued it: part of the assignment's decision id, so each queueing assigns once. */
  queuedAt: number;
}

export interface RoutingWorkflowInput {
  groupId: string;
  /** The queue a continue-as-new carries over. */
  queue?: QueueEntry[];
  /** What the run before signalled to tickets and had not yet seen land (a continue-as-new carries it over). */
  signalled?: SignalledAction[];
  /** Continue as new past this many history events (default 2000); tests lower it. */
  historyLimit?: number;
}

export interface Skill {
  name: string;
  level: number;
}

export interface RequiredSkill {
  name: string;
  minLevel: number;
}

/** The group's settings (routing_groups). */
export interface RoutingGroupSettings {
  id: string;
  name: string;
  strategy: RoutingStrategy;
  releaseOnOffline: boolean;
  /** Release an away agent's tickets once away this long; null: never for away. */
  awayReleaseMinutes: number | null;
  releaseOnShiftEnd: boolean;
  /** The time an agent needs to answer: eligible only if min(shift end, deadline) - now >= this. */
  answerMinutes: number;
}

/** A ticket an agent holds in this group, with its nearest unmet due instant. */
export interface HeldTicket {
  ticketId: string;
  priority: Priority;
  deadlineAt: number | null;
}

/** An agent of the group as the snapshot saw them. Load counts their open tickets across every group (capacity is the agent's, not the group's). */
export interface RoutingAgent {
  userId: string;
  email: string;
  status: AgentStatus;
  statusSince: number | null;
  load: number;
  loadByPriority: Partial<Record<Priority, number>>;
  capacity: number;
  /** Priority name -> the most open tickets of that priority; a priority absent is limited by `capacity` only. */
  capacityByPriority: Partial<Record<Priority, number>>;
  skills: Skill[];
  /** ISO 639-1 codes; empty: the profile names none, so no language is refused. */
  languages: string[];
  /** Inside a shift of their calendar, not on a day off. */
  workingNow: boolean;
  /** When the current shift ends (working now), null: it never ends. */
  shiftEndsAt: number | null;
  /** When the next shift starts (not working now), null: never within the calendar's horizon; when working, null. */
  backAt: number | null;
  /** The last time round-robin picked them. */
  lastPickedAt: number | null;
  /** The group's open tickets they hold. */
  held: HeldTicket[];
}

/** A queued ticket as the snapshot read it: still open and unassigned in this group. */
export interface QueuedTicket {
  ticketId: string;
  priority: Priority;
  /** Nearest unmet SLA due instant, null: no clock runs. */
  deadlineAt: number | null;
  /** Business time left to that due instant on the ticket's policy calendar at the snapshot's now (null without deadline). */
  businessMsLeft: number | null;
  requiredSkills: RequiredSkill[];
  language: string | null;
  queuedAt: number;
  /** The routing rule that sent it here, when one did. */
  rule: string | null;
}

export interface RoutingSnapshot {
  group: RoutingGroupSettings;
  agents: RoutingAgent[];
  /** The queue's tickets that can still be routed; a queued id missing here is closed, gone or assigned meanwhile. */
  queued: QueuedTicket[];
}

/** Why a ticket went to an agent: what the console's "why routed" and the timeline show. */
export interface RoutedReason {
  strategy: RoutingStrategy;
  rule: string | null;
  /** ISO instant of the nearest due, or null. */
  deadlineAt: string | null;
  businessMinutesLeft: number | null;
  /** The agent's open tickets before this one, and their capacity. */
  load: number;
  capacity: number;
  skills: RequiredSkill[];
  language: string | null;
  /** ISO instant the agent's shift ends, null: no end. */
  shiftEndsAt: string | null;
  /** One sentence in words. */
  summary: string;
}

export type ReleaseCause = 'offline' | 'away' | 'shift_end';

export interface ReleaseReason {
  cause: ReleaseCause;
  /** Away: since when; shift end: when the agent is back (null: not within the horizon). */
  since: string | null;
  backAt: string | null;
  deadlineAt: string | null;
  summary: string;
}

export interface Assignment {
  ticketId: string;
  agentUserId: string;
  agentEmail: string;
  /** Deterministic: the ticket and the instant it was queued; the ticket action's id too. */
  decisionId: string;
  reason: RoutedReason;
}

export interface Release {
  ticketId: string;
  agentUserId: string;
  agentEmail: string;
  decisionId: string;
  reason: ReleaseReason;
}

export interface RoutingPlan {
  assignments: Assignment[];
  releases: Release[];
  /** The next instant something changes without a signal (a shift ends or starts, an away limit passes), or null. */
  wakeAt: number | null;
}

/** `route:<ticket>:<queuedAt>`: one queueing of a ticket is assigned at most once, however often the activity runs. */
export function assignDecisionId(ticketId: string, queuedAt: number): string {
  return `route:${ticketId}:${queuedAt}`;
}

/** `release:<ticket>:<agent>:<at>`: one release of a ticket from an agent, decided by the pass at `at`. */
export function releaseDecisionId(ticketId: string, agentUserId: string, at: number): string {
  return `release:${ticketId}:${agentUserId}:${at}`;
}

/** What the assign activity found: assigned, taken meanwhile (by hand, closed: drop it), or the agent full (plan again). */
export type AssignOutcome = 'assigned' | 'taken' | 'agent_full';
/** What the release activity found: released (re-queue it), or no longer the agent's (nothing to do). */
export type ReleaseOutcome = 'released' | 'not_held';

/** What deciding an assignment found: decided (the workflow signals the ticket), taken meanwhile, or the agent full (plan again). */
export type DecideOutcome = 'decided' | 'taken' | 'agent_full';

/**
 * An assignment or release the routing workflow has signalled to a ticket's workflow and not yet
 * seen land: the next pass settles it against the ticket's timeline (the action's event id is
 * known beforehand) and the ticket's row.
 */
export type SignalledAction =
  | { kind: 'assign'; assignment: Assignment; at: number; queuedAt: number }
  | { kind: 'release'; release: Release; at: number };

/** The ticket a signalled action is for. */
export function signalledTicketId(action: SignalledAction): string {
  return action.kind === 'assign' ? action.assignment.ticketId : action.release.ticketId;
}

/** The decision a signalled action carries out: its id is the ticket action's id too. */
export function signalledDecisionId(action: SignalledAction): string {
  return action.kind === 'assign' ? action.assignment.decisionId : action.release.decisionId;
}

/** What settling found: landed ('assigned', 'released'), never will ('taken', 'not_held'), or not yet ('pending'). */
export type SettleOutcome = AssignOutcome | ReleaseOutcome | 'pending';
