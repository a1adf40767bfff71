/**
 * The PagerDuty dedup key of a ticket's alert: one per ticket, clock and cycle, so every
 * retry and every later ladder step of the same clock lands on the same alert, a reopened
 * ticket (a new resolution cycle) gets a fresh one, and an inbound webhook can name its
 * ticket and clock from the incident_key alone.
 */
import type { ClockName } from '../../../workflows/contract/ticket';
import { uuidPattern } from '../../core/uuid';

const PATTERN = uuidPattern((uuid) => `^pacer:ticket:(${uuid}):(first_response|resolution):(\\d+)$`);

export interface AlertKey {
  ticketId: string;
  clock: ClockName;
  cycle: number;
}

export function alertDedupKey(key: AlertKey): string {
  return `pacer:ticket:${key.ticketId}:${key.clock}:${key.cycle}`;
}

export function parseAlertDedupKey(dedupKey: string): AlertKey | null {
  const m = PATTERN.exec(dedupKey);
  if (!m) return null;
  return { ticketId: m[1]!, clock: m[2] as ClockName, cycle: Number(m[3]) };
}

/** Ladder step ids are `<clock>:<cycle>:<percent>` (workflows/ticket/clock-plan.ts). */
export function cycleOfStep(stepId: string): number {
  const cycle = Number(stepId.split(':')[1]);
  return Number.isInteger(cycle) && cycle >= 0 ? cycle : 0;
}

const INCIDENT_PATTERN = uuidPattern((uuid) => `^pacer:incident:(${uuid}):(\\d+)$`);

/** An incident's alert per escalation level: a new level is a new alert, so PagerDuty notifies again. */
export function incidentAlertDedupKey(incidentId: string, level: number): string {
  return `pacer:incident:${incidentId}:${level}`;
}

export function parseIncidentAlertDedupKey(dedupKey: string): { incidentId: string; level: number } | null {
  const m = INCIDENT_PATTERN.exec(dedupKey);
  return m ? { incidentId: m[1]!, level: Number(m[2]) } : null;
}
