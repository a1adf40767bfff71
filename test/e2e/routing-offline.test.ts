/**
 * An agent going offline and their tickets moving, in Chromium on the real stack (the routing
 * workflows on the dev server). A skill-based group that releases on offline has two agents
 * online with room: Ada (billing 5) and Bo (billing 3); a rule sends "invoice" tickets, needing
 * billing 2, to it. Tickets created through the API go to Ada (most skill). Ada signs in and
 * switches herself offline on the Agents view; each of her tickets is handed back with the cause
 * on its timeline (API and ticket page) and routed to Bo, and the Agents view shows the loads
 * move. Signing out of her last session sets her offline too.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createOrg, createTicket, eventually } from '../api/api-helpers';
import { createUser, launchChromium, signIn, type TestUser } from '../support/browser';
import { makeRouting, setAgentStatus } from '../support/routing-fixtures';
import { eventList, ticketResponse } from '../../src/http/api/openapi/responses';

const TICKETS = 3;

describe('E2E: an agent going offline hands their tickets on', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let ada: TestUser;
  let bo: TestUser;
  const ticketIds: string[] = [];

  const assigneeOf = async (id: string) => bodyOf(await h.api(`/api/v1/tickets/${id}`), ticketResponse).assignee;
  const allWith = async (email: string) => (await Promise.all(ticketIds.map(assigneeOf))).every((a) => a === email);
  const timelineOf = async (id: string) => bodyOf(await h.api(`/api/v1/tickets/${id}/events`), eventList).data;
  /** The ticket's routing events once there are `count`; routing writes each when it has seen the ticket take the change, a moment after. */
  const routingEventsOf = async (id: string, count: number) => {
    const events = (await timelineOf(id)).filter((e) => e.type === 'ticket.routed' || e.type === 'ticket.routing_released');
    return events.length >= count ? events : undefined;
  };
  const agentRow = (email: string, cell: 'status' | 'load') => page.locator(`tr[data-agent="${email}"] [data-${cell}]`).getAttribute(`data-${cell}`);
  const statusOf = async (userId: string) => (await h.database.db.selectFrom('agent_profiles').select('status').where('user_id', '=', userId).executeTakeFirst())?.status;

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    ada = await createUser(h, { email: 'ada@offline.test', name: 'Ada Agent', role: 'agent' });
    bo = await createUser(h, { email: 'bo@offline.test', name: 'Bo Agent', role: 'agent' });
    await makeRouting(h, {
      group: { name: 'Billing', strategy: 'skill_based', releaseOnOffline: true },
      agents: [
        { user: ada, status: 'online', capacity: 5, skills: [{ name: 'billing', level: 5 }] },
        { user: bo, status: 'online', capacity: 5, skills: [{ name: 'billing', level: 3 }] },
      ],
      rule: { name: 'invoices to billing', conditions: { subjectWords: ['invoice'] }, requiredSkills: [{ name: 'billing', minLevel: 2 }] },
    });
    ctx = await browser.newContext();
    page = await ctx.newPage();
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await h?.close();
  });

  it('routes the tickets created through the API to Ada, who has the most of the skill the rule asks for', async () => {
    const org = await createOrg(h, 'enterprise');
    for (let i = 1; i <= TICKETS; i++) ticketIds.push((await createTicket(h, { subject: `Invoice ${i} is wrong`, organizationId: org.id, priority: 'high' })).id);
    await eventually(() => allWith(ada.email), 30_000, 'every ticket routed to ada');
    for (const id of ticketIds) {
      const routed = await eventually(() => routingEventsOf(id, 1), 10_000, 'the routed event');
      assert.deepEqual(routed.map((e) => [e.actor, (e.data as { agent?: unknown }).agent]), [['system:routing', ada.email]]);
    }
  });

  it('Ada signs in and sees on the Agents view both agents online, her holding the tickets', async () => {
    await signIn(page, h.baseUrl, ada, /\/console$/);
    await page.goto(`${h.baseUrl}/console/agents`);
    assert.equal(await page.locator('#my-status-now').textContent(), 'online');
    assert.deepEqual([await agentRow(ada.email, 'status'), await agentRow(bo.email, 'status')], ['online', 'online']);
    assert.deepEqual([await agentRow(ada.email, 'load'), await agentRow(bo.email, 'load')], [String(TICKETS), '0']);
  });

  it('Ada switches herself offline on the Agents view and every one of her tickets goes to Bo', async () => {
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'offline' }).click()]);
    assert.equal(await page.locator('#my-status-now').textContent(), 'offline');
    assert.equal(await page.locator('#status-switch button[aria-pressed="true"]').textContent(), 'offline');
    await eventually(() => allWith(bo.email), 30_000, 'every ticket handed to bo');
  });

  it("each ticket's timeline (API) reads: routed to Ada, released because she went offline, routed to Bo", async () => {
    for (const id of ticketIds) {
      const events = await eventually(() => routingEventsOf(id, 3), 10_000, 'the routing events');
      const read = events.map((e) => {
        const d = e.data as { agent?: unknown; reason?: { cause?: unknown; summary?: unknown } };
        return [e.type, e.actor, d.agent, d.reason?.cause ?? null];
      });
      assert.deepEqual(read, [
        ['ticket.routed', 'system:routing', ada.email, null],
        ['ticket.routing_released', 'system:routing', ada.email, 'offline'],
        ['ticket.routed', 'system:routing', bo.email, null],
      ]);
      const released = events[1]!.data as { reason: { summary: string } };
      assert.equal(released.reason.summary, `${ada.email} went offline`);
    }
  });

  it('the ticket page shows Bo as assignee, the hand-back with its reason on the timeline and in "Why routed here"', async () => {
    await page.goto(`${h.baseUrl}/console/tickets/${ticketIds[0]!}`);
    assert.equal(await page.locator('#ticket-assignee').textContent(), bo.email);
    const released = page.locator('.timeline li', { has: page.locator('code', { hasText: 'ticket.routing_released' }) });
    assert.equal(await released.count(), 1);
    assert.match((await released.textContent()) ?? '', /ada@offline\.test went offline/);
    const decisions = await page.locator('#routing li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind')));
    assert.deepEqual(decisions, ['assigned', 'released', 'assigned', 'queued'], 'newest first: a release re-queues without a new queued decision');
    const handedBack = (await page.locator('#routing li[data-kind="released"]').textContent()) ?? '';
    assert.match(handedBack, /Handed back[^]*Ada Agent[^]*went offline[^]*cause: offline/);
    assert.match((await page.locator('#routing li[data-kind="assigned"]').first().textContent()) ?? '', /Bo Agent/);
  });

  it('the Agents view shows the loads moved: Ada offline holding none, Bo online holding them all', async () => {
    await page.goto(`${h.baseUrl}/console/agents`);
    assert.deepEqual([await agentRow(ada.email, 'status'), await agentRow(bo.email, 'status')], ['offline', 'online']);
    assert.deepEqual([await agentRow(ada.email, 'load'), await agentRow(bo.email, 'load')], ['0', String(TICKETS)]);
  });

  it('signing out of her last session sets Ada offline', async () => {
    await setAgentStatus(h, ada.id, 'online');
    await page.goto(`${h.baseUrl}/console/agents`);
    assert.equal(await page.locator('#my-status-now').textContent(), 'online');
    await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: 'Sign out' }).click()]);
    assert.equal(await statusOf(ada.id), 'offline');
  });
});
