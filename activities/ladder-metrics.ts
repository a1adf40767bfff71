/**
 * What the ladder's activities tell Prometheus (src/core/metrics.ts). The workflows know when
 * a step was due (its event's scheduledAt); the activity that records the step is where it
 * ran, so lateness is measured here with the worker's clock and no workflow command changes.
 */
import type { RecordedEvent } from '../workflows/contract/events';
import { boundedLabel, ladderActions, ladderStepLateness, ladderStepsFired } from '../src/core/metrics';

export type Subject = 'ticket' | 'incident';

/** Observes the ladder steps and the workflow's own skips among events just recorded. */
export function observeRecordedEvents(kind: Subject, events: readonly RecordedEvent[], now = Date.now()): void {
  for (const e of events) {
    if (e.type === 'sla.escalation' || e.type === 'sla.breached' || e.type === 'incident.escalation' || e.type === 'incident.sla_breached') {
      const { clock, scheduledAt } = e.data;
      ladderStepsFired.inc({ kind, clock, step: e.type === 'sla.breached' || e.type === 'incident.sla_breached' ? 'breach' : 'escalation' });
      if (scheduledAt !== null) ladderStepLateness.observe({ kind, clock }, Math.max(0, now - Date.parse(scheduledAt)) / 1000);
    } else if (e.type === 'action.skipped') {
      countAction(kind, e.data.action.type, 'skipped');
    }
  }
}

export function countAction(kind: Subject, actionType: string, outcome: 'done' | 'skipped' | 'failed' | 'error'): void {
  ladderActions.inc({ kind, integration: boundedLabel(actionType), outcome });
}
