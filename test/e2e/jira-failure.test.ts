/**
 * One Jira failure, one answer: with Jira down, "Open a Jira issue" answers the same status and
 * code from the API (`POST /api/v1/tickets/:id/jira`) and from the console's button, because both
 * throw the same domain error and one mapping (src/http/kit/errors.ts) turns it into a status.
 * (Before, the API answered 502 and the console 409 for the same failure.)
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { createTicket, errorOf } from '../api/api-helpers';
import { startJiraStack, type JiraStack } from '../support/fakes/jira-test-stack';
import { createUser, launchChromium, signIn } from '../support/browser';

describe('E2E: a Jira that is down answers alike from the API and the console', function () {
  this.timeout(120_000);
  let s: JiraStack;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let api: { status: number; code: unknown };
  let consoleAnswer: Response;

  before(async function () {
    this.timeout(180_000);
    [s, browser] = await Promise.all([startJiraStack(), launchChromium()]);
    const agent = await createUser(s.h, { email: 'kim@pacer.test', name: 'Kim Agent', role: 'agent' });
    ctx = await browser.newContext();
    page = await ctx.newPage();
    await signIn(page, s.h.baseUrl, agent, /\/console$/);
    const t = await createTicket(s.h, { subject: 'Invoices render blank', priority: 'normal', organizationId: s.quietOrgId });
    await page.goto(`${s.h.baseUrl}/console/tickets/${t.id}`);
    await s.fake.close();

    const res = await s.h.api(`/api/v1/tickets/${t.id}/jira`, { body: {} });
    api = { status: res.status, code: errorOf(res.body)?.code };
    [consoleAnswer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/console/tickets/${t.id}/jira`)),
      page.getByRole('button', { name: 'Open a Jira issue' }).click(),
    ]);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await s?.close();
  });

  it('the API answers 502 jira_unavailable', () => {
    assert.deepEqual(api, { status: 502, code: 'jira_unavailable' });
  });

  it('the console answers the same status and code', async () => {
    assert.deepEqual({ status: consoleAnswer.status(), code: await consoleAnswer.headerValue('x-pacer-error') }, api);
  });

  it('the console page says what happened', async () => {
    assert.match((await page.locator('main, body').first().textContent()) ?? '', /Jira did not answer; retry later/);
  });
});
