/**
 * A Pacer wired to the PagerDuty fakes, for the PagerDuty tests and benchmarks: the events
 * fake over TLS (its certificate trusted through the integration config, not the
 * environment), a webhook secret, and starter-tier policies on an always-open calendar
 * whose ladders page at 5% (3 s) and 15% (9 s) of a one-minute clock — urgent on the first
 * response, high on resolution — plus a community organization with no SLA at all.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { IntegrationConfig } from '../../../src/integrations/config';
import { alertDedupKey } from '../../../src/integrations/pagerduty/alert-key';
import type { ClockName } from '../../../workflows/contract/ticket';
import { createCalendar, createOrg } from '../../api/api-helpers';
import { startHarness, type HarnessOptions, type PacerHarness } from '../api-harness';
import { startPagerDutyEventsFake, type PagerDutyEventsFake } from './pagerduty-events-server';

export const PAGE_STEPS = [5, 15];

export interface PagerDutyStack {
  h: PacerHarness;
  fake: PagerDutyEventsFake;
  routingKey: string;
  webhookSecret: string;
  webhookUrl: string;
  /** Starter tier: urgent pages on the first-response clock, high on the resolution clock. */
  pagingOrgId: string;
  /** Community tier: no SLA, so no ladder ever fires. */
  quietOrgId: string;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Defaults to a fresh valid 32-character key. */
  routingKey?: string;
  /** The harness's log lines go here (a test reads them). */
  log?: HarnessOptions['log'];
}

export function dedupKeyOf(ticketId: string, clock: ClockName, cycle = 0): string {
  return alertDedupKey({ ticketId, clock, cycle });
}

export async function startPagerDutyStack(opts: StackOptions = {}): Promise<PagerDutyStack> {
  const fake = await startPagerDutyEventsFake();
  const routingKey = opts.routingKey ?? crypto.randomBytes(16).toString('hex');
  const webhookSecret = `pd-whsec-${crypto.randomBytes(12).toString('hex')}`;
  const integrations: IntegrationConfig = {
    publicUrl: 'https://pacer.example.test',
    pagerduty: { routingKey, eventsHost: fake.host, webhookSecret, ca: fake.ca },
    pagerdutyWebhookSecret: webhookSecret,
  };
  const h = await startHarness({ integrations, log: opts.log });

  const calendar = await createCalendar(h, 'always open (pagerduty test)');
  const ladder = PAGE_STEPS.map((percent) => ({ percent, actions: [{ type: 'page' }] }));
  for (const [priority, firstResponseMinutes, resolutionMinutes] of [
    ['urgent', 1, 600],
    ['high', 600, 1],
  ] as const) {
    const policy = await h.api('/api/v1/sla-policies', {
      body: { name: `starter ${priority} (paging test)`, tier: 'starter', priority, calendarId: calendar.id, firstResponseMinutes, resolutionMinutes, escalations: ladder },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
  }
  const org = async (tier: string) => (await createOrg(h, tier)).id;

  return {
    h,
    fake,
    routingKey,
    webhookSecret,
    webhookUrl: `${h.baseUrl}/api/v1/integrations/pagerduty/webhook`,
    pagingOrgId: await org('starter'),
    quietOrgId: await org('community'),
    async close() {
      await h.close();
      await fake.close();
    },
  };
}
