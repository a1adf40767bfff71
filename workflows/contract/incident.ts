/**
 * The incident workflow's contract: its input, the actions responders send it, and the
 * state it answers with. Side-effect free, so both the workflow bundle and the API import it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, LadderStep, ActionSpec } from './ticket';
import type { CadenceEvent, CalendarSpec } from './sla';

export const INCIDENT_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

export const INCIDENT_STATUSES = ['detected', 'investigating', 'identified', 'monitoring', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
/** Statuses in which the incident is still happening. */
export const ACTIVE_INCIDENT_STATUSES: readonly IncidentStatus[] = ['detected', 'investigating', 'identified', 'monitoring'];

/** What an incident does to the components it affects (the status page's non-operational statuses). */
export const INCIDENT_IMPACTS = ['degraded', 'partial_outage', 'major_outage'] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];

/** `update` repeats: a public update is owed every `updateEveryMinutes` while the incident is active. */
export type IncidentClockName = 'acknowledgement' | 'resolution' | 'update';

/** The severity's policy as the workflow sees it: a snapshot taken at creation or re-targeting. */
export interface IncidentPolicySnapshot {
  severity: IncidentSeverity;
  acknowledgeMinutes: number;
  resolveMinutes: number;
  calendar: CalendarSpec;
  acknowledgementEscalations: LadderStep[];
  resolutionEscalations: LadderStep[];
  postmortemRequired: boolean;
  /** Hours after resolution at which a missing post-mortem is chased; then weekly. */
  postmortemReminderHours: number[];
  /** Resolving the incident solves its linked tickets. */
  solveLinkedTickets: boolean;
  /** A public update is owed every this many minutes (on the policy's calendar) while active; null or absent: none. */
  updateEveryMinutes?: number | null;
  /** The update cadence's ladder; absent = remind the commander at 80%, escalate to the incident manager at 100%. */
  updateEscalations?: LadderStep[];
  /** The policy row's edit version, bumped on every save (absent in snapshots older than rollouts): a rollout never applies an older one. */
  editVersion?: number;
}

export interface IncidentFacts {
  id: string;
  number: string;
  title: string;
  description: string;
  severity: IncidentSeverity;
  commander: string | null;
  responders: string[];
  impact: IncidentImpact;
  affectedComponents: string[];
  affectedCustomers: number | null;
  sourceTicketId: string | null;
  createdBy: string;
  /** ISO 8601; both clocks start here. */
  createdAt: string;
}

export interface ActionItem {
  description: string;
  owner: string;
  dueDate: string;
}

export interface Postmortem {
  summary: string;
  rootCause: string;
  actionItems: ActionItem[];
}

export interface IncidentFields {
  title?: string;
  description?: string;
  commander?: string | null;
  responders?: string[];
  impact?: IncidentImpact;
  affectedComponents?: string[];
  affectedCustomers?: number | null;
}

/**
 * Every responder action. `actionId` is chosen by the caller and makes the action idempotent
 * end to end: the workflow ignores a repeat; activities write with it as key.
 */
export type IncidentAction =
  /** A timeline update: a status change, a text, or both. Public text goes to the status page and linked tickets. */
  | { kind: 'update'; actionId: string; actor: Actor; status?: IncidentStatus; body?: string; public: boolean }
  | { kind: 'acknowledge'; actionId: string; actor: Actor; source: string }
  /** A severity change, or (with `rollout`) a saved edit of the incident's own severity's policy carried by a rollout. */
  | { kind: 'retarget'; actionId: string; actor: Actor; policy: IncidentPolicySnapshot; rollout?: { rolloutId: string } }
  | { kind: 'edit'; actionId: string; actor: Actor; fields: IncidentFields }
  | { kind: 'link_ticket'; actionId: string; actor: Actor; ticketId: string }
  | { kind: 'unlink_ticket'; actionId: string; actor: Actor; ticketId: string }
  | { kind: 'record_postmortem'; actionId: string; actor: Actor; postmortem: Postmortem };

/** What survives continue-as-new. */
export interface IncidentCarried {
  status: IncidentStatus;
  policy: IncidentPolicySnapshot;
  fields: Required<IncidentFields>;
  linkedTickets: string[];
  acknowledged: { by: string; at: string; source: string } | null;
  resolvedAt: string | null;
  firstResolvedAt: string | null;
  postmortemAt: string | null;
  fired: string[];
  recentActionIds: string[];
  stateVersion: number;
  /** The update cadence's history: active from detection, each public update, resolutions and reopens. */
  cadence?: CadenceEvent[];
}

export interface IncidentWorkflowInput {
  version: 1;
  incident: IncidentFacts;
  policy: IncidentPolicySnapshot;
  carried?: IncidentCarried;
  /** Continue as new past this many history events (default 4000); tests lower it. */
  historyLimit?: number;
  /** The namespace has Pacer's search attributes: keep them current (workflows/contract/search-attributes.ts). */
  indexed?: boolean;
}

export interface IncidentClockState {
  name: IncidentClockName;
  targetMinutes: number;
  dueAt: string | null;
  metAt: string | null;
  breached: boolean | null;
  escalations: Array<{ percent: number; at: string | null; fired: boolean }>;
}

/** The live state the query answers with (computed at the workflow's last task time; due instants are exact). */
export interface IncidentView {
  incidentId: string;
  status: IncidentStatus;
  severity: IncidentSeverity;
  acknowledged: { by: string; at: string; source: string } | null;
  resolvedAt: string | null;
  postmortemRequired: boolean;
  postmortemAt: string | null;
  nextPostmortemReminderAt: string | null;
  linkedTickets: string[];
  acknowledgement: IncidentClockState;
  resolution: IncidentClockState;
  /** The update cadence's latest cycle (running while metAt is null); null when the policy owes none. */
  updateCadence: (IncidentClockState & { cycle: number; startedAt: string }) | null;
  stateVersion: number;
}

export const incidentActionUpdate = defineUpdate<IncidentView, [IncidentAction]>('incidentAction');
/** The same action as a signal, for inbound webhooks that must answer at once (and for the time-skipping server). */
export const incidentActionSignal = defineSignal<[IncidentAction]>('incidentActionSignal');
export const incidentStateQuery = defineQuery<IncidentView>('incidentState');

export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
}

export interface IncidentActionInput {
  incidentId: string;
  incidentNumber: string;
  stepId: string;
  clock: IncidentClockName;
  percent: number;
  actionIndex: number;
  action: ActionSpec;
  at: string;
}
