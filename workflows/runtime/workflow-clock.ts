/**
 * The workflow's "now", never earlier than an instant a fired timer proves has come.
 *
 * Why: in the fault suite a workflow task that followed a killed worker (its sticky task timed
 * out and was retried on the normal queue while queries rebuilt the workflow on a new worker)
 * ran with the clock of the task before it. The timer for a ladder step had fired, yet
 * Date.now() still said the step was 30 s away, so the task re-armed the timer instead of
 * firing the step; its replay, seeing the true task time, fired it, and every later task of
 * that ticket failed as nondeterministic. Taking the later of Date.now() and the instant the
 * timer was set for makes both runs fire the step. On every recorded history the timer's
 * instant has passed by the time it fires, so the later one is Date.now() and nothing changes.
 */
import { log } from '@temporalio/workflow';

export interface WorkflowClock {
  now(): number;
  /** A timer set for `at` fired: time has reached `at`. */
  reached(at: number): void;
}

export function workflowClock(): WorkflowClock {
  let floor = 0;
  return {
    now: () => {
      const now = Date.now();
      if (now >= floor) return now;
      // Rare enough to say each time (the fault suite counts these lines): which task ran behind, by how much.
      log.warn('the workflow clock was behind a timer that fired; using the timer instant', { behindMs: floor - now });
      return floor;
    },
    reached(at) {
      if (at > floor) floor = at;
    },
  };
}
