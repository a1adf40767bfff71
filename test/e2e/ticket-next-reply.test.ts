/**
 * The console's ticket page shows the next-reply clock, in a real browser (Debian's Chromium,
 * headless) on the real stack: a customer's reply after the first response shows a running
 * cycle with its due time and ladder; the agent's answer leaves "No reply owed" and the cycle
 * among the earlier ones, marked in time.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createCalendar, createKey, createOrg, createPolicy, createTicket, eventually } from '../api/api-helpers';
import { createUser, launchChromium, signIn } from '../support/browser';
import { formatInstant } from '../../src/http/web/format';
import { ticketSlaResponse } from '../../src/http/api/openapi/responses';


describe('E2E: the ticket page shows the next-reply clock', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let page: Page;
  let ticket: { id: string };
  let customerKey: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    browser = await launchChromium();
    const calendar = await createCalendar(h, 'always (next reply page)');
    await createPolicy(h, { name: 'starter low (next reply)', tier: 'starter', priority: 'low', calendarId: calendar.id, firstResponseMinutes: 600, resolutionMinutes: 6000, nextReplyMinutes: 90 });
    const org = await createOrg(h, 'starter', 'Hooli');
    customerKey = (await createKey(h, 'customer', org.id)).key;
    ticket = await createTicket(h, { subject: 'Exports are empty', priority: 'low', organizationId: org.id });
    const agent = await createUser(h, { email: 'nr-agent@pacer.test', name: 'Nia Agent', role: 'agent', timeZone: 'UTC' });
    page = await (await browser.newContext()).newPage();
    await signIn(page, h.baseUrl, agent, /\/console$/);
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  const card = () => page.locator('#clock-next_reply');

  it('shows a running cycle with its due time and ladder after the customer writes again', async () => {
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}/comments`, { body: { body: 'Checking.' } })).status, 201);
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}/comments`, { key: customerKey, body: { body: 'Still empty.' } })).status, 201);
    const due = await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${ticket.id}/sla`), ticketSlaResponse).nextReply?.[0]?.dueAt as string | undefined, 10_000, 'the cycle');
    await page.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    assert.equal((await card().locator('.clock-state').textContent())?.trim(), 'running');
    assert.ok(((await card().locator('.clock-due').textContent()) ?? '').startsWith(formatInstant(due, 'UTC')), 'the due time, in the agent\'s zone (UTC)');
    assert.deepEqual(await card().locator('.ladder li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-percent'))), ['80', '100', '120']);
  });

  it('after the agent answers: no reply owed, and the cycle is listed as answered in time', async () => {
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}/comments`, { body: { body: 'Fixed, please retry.' } })).status, 201);
    await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${ticket.id}/sla`), ticketSlaResponse).nextReply?.[0]?.metAt, 10_000, 'the cycle met');
    await page.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    assert.match((await card().textContent()) ?? '', /No reply owed/);
    const past = page.locator('#next-reply-cycles li');
    assert.equal(await past.count(), 1);
    assert.match((await past.first().textContent()) ?? '', /in time/);
  });
});
