/**
 * An agent going offline in the browser, on the real stack (the routing workflows on the dev
 * server): Ada sets herself online on the Agents page and a new ticket matching a rule is routed
 * to her; she clicks "offline" and the ticket moves to Bo, who is online, with the hand-back on
 * its "Why routed here" panel and the Agents page showing the loads move. Signing out of her last
 * session sets her offline too.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createOrg, createTicket, eventually } from '../api/api-helpers';
import { createUser, launchChromium, signIn, type TestUser } from '../support/browser';
import { groupResponse, ruleResponse } from '../../src/http/api/routes/routing';

describe('E2E: an agent going offline hands their tickets on', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let ada: TestUser;
  let bo: TestUser;
  let org: { id: string };

  const assigneeOf = async (ticketId: string) => (await h.database.db.selectFrom('tickets').select('assignee').where('id', '=', ticketId).executeTakeFirstOrThrow()).assignee;
  const statusOf = async (userId: string) => (await h.database.db.selectFrom('agent_profiles').select('status').where('user_id', '=', userId).executeTakeFirst())?.status;

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    org = await createOrg(h, 'enterprise');
    ada = await createUser(h, { email: 'ada@offline.test', name: 'Ada Agent', role: 'agent' });
    bo = await createUser(h, { email: 'bo@offline.test', name: 'Bo Agent', role: 'agent' });
    const group = bodyOf(await h.api('/api/v1/routing/groups', { body: { name: 'Support', strategy: 'least_loaded' } }), groupResponse, 201);
    for (const u of [ada, bo]) assert.equal((await h.api(`/api/v1/routing/groups/${group.id}/members`, { body: { userId: u.id } })).status, 201);
    bodyOf(await h.api('/api/v1/routing/rules', { body: { name: 'printers', groupId: group.id, conditions: { subjectWords: ['printer'] } } }), ruleResponse, 201);
    ctx = await browser.newContext();
    page = await ctx.newPage();
    await signIn(page, h.baseUrl, ada, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await h?.close();
  });

  it('routes a new ticket to Ada once she is online, and to Bo when she goes offline', async () => {
    await page.goto(`${h.baseUrl}/console/agents`);
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'online' }).click()]);
    const t = await createTicket(h, { subject: 'The printer is on fire', organizationId: org.id, priority: 'high' });
    await eventually(async () => (await assigneeOf(t.id)) === ada.email, 30_000, 'routed to ada');
    assert.equal((await h.api(`/api/v1/routing/agents/${bo.id}/status`, { method: 'PUT', body: { status: 'online' } })).status, 200);
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'offline' }).click()]);
    await eventually(async () => (await assigneeOf(t.id)) === bo.email, 30_000, 'handed to bo');
    await page.goto(`${h.baseUrl}/console/tickets/${t.id}`);
    const panel = (await page.locator('#routing').textContent()) ?? '';
    assert.match(panel, /Handed back/);
    assert.match(panel, /Assigned[^]*Bo Agent/);
    await page.goto(`${h.baseUrl}/console/agents`);
    assert.equal(await page.locator('tr[data-agent="bo@offline.test"] [data-load]').getAttribute('data-load'), '1');
    assert.equal(await page.locator('tr[data-agent="ada@offline.test"] [data-load]').getAttribute('data-load'), '0');
  });

  it('signing out of her last session sets Ada offline', async () => {
    await page.goto(`${h.baseUrl}/console/agents`);
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'online' }).click()]);
    assert.equal(await statusOf(ada.id), 'online');
    await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: 'Sign out' }).click()]);
    assert.equal(await statusOf(ada.id), 'offline');
  });
});
