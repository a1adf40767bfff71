/**
 * "Open a Jira issue" from the ticket page, in Chromium, with Pacer pointed at the loopback
 * Jira Cloud fake through jira.js: one click opens one issue and links it; a second click
 * finds the same issue instead of opening another.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTicket } from '../api/api-helpers';
import { startJiraStack, type JiraStack } from '../support/fakes/jira-test-stack';
import { createUser, launchChromium, signIn, type TestUser } from '../support/browser';

describe('E2E: open a Jira issue from the ticket page', function () {
  this.timeout(120_000);
  let s: JiraStack;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let agent: TestUser;

  before(async function () {
    this.timeout(180_000);
    [s, browser] = await Promise.all([startJiraStack(), launchChromium()]);
    agent = await createUser(s.h, { email: 'jo@pacer.test', name: 'Jo Agent', role: 'agent' });
    ctx = await browser.newContext();
    page = await ctx.newPage();
    await signIn(page, s.h.baseUrl, agent, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await s?.close();
  });

  it('opens one issue, links it on the page, and a second click keeps the same issue', async () => {
    const t = await createTicket(s.h, { subject: 'Exports time out', priority: 'normal', organizationId: s.quietOrgId });
    await page.goto(`${s.h.baseUrl}/console/tickets/${t.id}`);
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Open a Jira issue' }).click()]);
    const label = `pacer-${t.number.toLowerCase()}`;
    const issues = s.fake.withLabel(label);
    assert.equal(issues.length, 1);
    const key = issues[0]!.key;
    assert.equal(await page.getByRole('status').textContent(), `Opened Jira issue ${key}.`);
    assert.equal(await page.getByRole('link', { name: key }).count(), 1, 'the Links panel shows the issue');
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: `Update Jira issue ${key}` }).click()]);
    assert.equal(await page.getByRole('status').textContent(), `Jira issue ${key} is linked.`);
    assert.equal(s.fake.withLabel(label).length, 1, 'still one issue');
  });
});
