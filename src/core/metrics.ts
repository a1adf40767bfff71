/**
 * The process's Prometheus instruments (prom-client). One registry per process, because a
 * process is what Prometheus scrapes: the API and the worker each serve their own (README
 * "Metrics"). What is counted here happens in this process (HTTP requests, activities that
 * ran here); the ticket gauges are read from the database at scrape (src/app/metrics-endpoint.ts).
 * Counters count each run of what they name: an activity retried after its answer was lost
 * counts again, which a rate() absorbs.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

const registers = [processRegistry];

/** Scheduled instant → the step's event recorded (timer, workflow task and activity dispatch together). */
export const ladderStepLateness = new Histogram({
  name: 'pacer_ladder_step_lateness_seconds',
  help: 'How late a ladder step ran: from the instant it was due to the activity that recorded it.',
  labelNames: ['kind', 'clock'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  registers,
});

export const ladderStepsFired = new Counter({
  name: 'pacer_ladder_steps_fired_total',
  help: 'Ladder steps fired (escalation before the target, breach at 100%).',
  labelNames: ['kind', 'clock', 'step'] as const,
  registers,
});

export const ladderActions = new Counter({
  name: 'pacer_ladder_actions_total',
  help: 'Ladder actions by integration (the action type) and outcome: done, skipped, failed (for good) or error (an attempt that will be retried).',
  labelNames: ['kind', 'integration', 'outcome'] as const,
  registers,
});

export const webhookDeliveries = new Counter({
  name: 'pacer_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome: delivered, failed (retried) or refused (address not allowed, not retried).',
  labelNames: ['outcome'] as const,
  registers,
});

export const inboundMail = new Counter({
  name: 'pacer_inbound_mail_total',
  help: 'Inbound emails by outcome: accepted (a comment or a new ticket), duplicate (a resend of one accepted), ignored (automatic mail), refused (5xx) or deferred (4xx, the sender retries).',
  labelNames: ['outcome'] as const,
  registers,
});

export const httpRequestDuration = new Histogram({
  name: 'pacer_http_request_duration_seconds',
  help: 'HTTP requests by method, express route pattern (never the raw path) and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

/** A label value from text a policy chose (an action type): bounded, so a typo cannot grow the series without end. */
export function boundedLabel(value: string): string {
  return /^[a-z][a-z0-9_-]{0,31}$/.test(value) ? value : 'other';
}
