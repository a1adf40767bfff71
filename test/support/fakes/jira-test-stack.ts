/**
 * A Pacer wired to the Jira Cloud fake, for the Jira tests and benchmarks: basic-auth
 * credentials, a webhook secret, and a starter-tier urgent policy on an always-open calendar
 * whose first-response ladder opens the Jira issue at 5% (3 s, copying public comments) and
 * escalates again at 15% (9 s) of a one-minute clock (starter high: the 5% step alone);
 * plus a community organization with no SLA, whose tickets only get an issue when an agent
 * asks.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { IntegrationConfig } from '../../../src/integrations/config';
import { createCalendar, createOrg } from '../../api/api-helpers';
import { startHarness, type PacerHarness } from '../api-harness';
import { startJiraCloudFake, type JiraCloudFake } from './jira-cloud-server';

export const JIRA_STEPS = [
  { percent: 5, actions: [{ type: 'jira', syncComments: true }] },
  { percent: 15, actions: [{ type: 'jira' }] },
];
export const PUBLIC_URL = 'https://pacer.example.test';

export interface JiraStack {
  h: PacerHarness;
  fake: JiraCloudFake;
  webhookSecret: string;
  webhookUrl: string;
  /** Starter tier: the ladder opens the issue (urgent: then escalates again; high: only opens it). */
  ladderOrgId: string;
  /** Community tier: no SLA, so no ladder ever fires. */
  quietOrgId: string;
  close(): Promise<void>;
}

export async function startJiraStack(): Promise<JiraStack> {
  // jira.js 6 rejects unusual addresses (a@b.c), so the bot has an ordinary one.
  const fake = await startJiraCloudFake({ email: 'pacer-bot@example.com', apiToken: `jira-token-${crypto.randomBytes(8).toString('hex')}` });
  const webhookSecret = `jira-whsec-${crypto.randomBytes(12).toString('hex')}`;
  const integrations: IntegrationConfig = {
    publicUrl: PUBLIC_URL,
    jira: { url: fake.url, email: fake.email, apiToken: fake.apiToken, project: fake.project, webhookSecret },
  };
  const h = await startHarness({ integrations });

  const calendar = await createCalendar(h, 'always open (jira test)');
  for (const [priority, escalations] of [
    ['urgent', JIRA_STEPS],
    ['high', JIRA_STEPS.slice(0, 1)],
  ] as const) {
    const policy = await h.api('/api/v1/sla-policies', {
      body: { name: `starter ${priority} (jira test)`, tier: 'starter', priority, calendarId: calendar.id, firstResponseMinutes: 1, resolutionMinutes: 600, escalations },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
  }
  const org = async (tier: string) => (await createOrg(h, tier)).id;

  return {
    h,
    fake,
    webhookSecret,
    webhookUrl: `${h.baseUrl}/api/v1/integrations/jira/webhook`,
    ladderOrgId: await org('starter'),
    quietOrgId: await org('community'),
    async close() {
      await h.close();
      await fake.close();
    },
  };
}
