/**
 * The console and the portal in a real browser (Debian's Chromium, headless), on the real
 * stack (PostgreSQL, the Temporal dev server, the worker): an agent signs in, takes a ticket
 * from the queue, replies and sees the first-response clock met; sets it pending and sees
 * the resolution clock paused; a customer in another browser context reads the reply and
 * answers, and the ticket comes back to the agent's queue without a reload; a customer of
 * another organization gets 404; CSRF and wrong passwords are refused.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createOrg, createTicket, eventually } from '../api/api-helpers';
import { createUser, launchChromium, screenshot, signIn, type TestUser } from '../support/browser';
import { describeSla } from '../../workflows/ticket/sla-state';

describe('E2E: agent console and customer portal', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let orgA: { id: string; name: string };
  let orgB: { id: string };
  let agent: TestUser;
  let agent2: TestUser;
  let customer: TestUser;
  let outsider: TestUser;
  let ticket: { id: string; number: string };
  let agentCtx: BrowserContext;
  let agentPage: Page;
  let watcherCtx: BrowserContext;
  let watcher: Page;

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    orgA = await createOrg(h, 'enterprise', 'Acme Rockets');
    orgB = await createOrg(h, 'enterprise', 'Globex');
    agent = await createUser(h, { email: 'ada@pacer.test', name: 'Ada Agent', role: 'agent', timeZone: 'America/New_York' });
    agent2 = await createUser(h, { email: 'bo@pacer.test', name: 'Bo Agent', role: 'agent', timeZone: 'Europe/Berlin' });
    customer = await createUser(h, { email: 'carla@acme.test', name: 'Carla Customer', role: 'customer', organizationId: orgA.id });
    outsider = await createUser(h, { email: 'otto@globex.test', name: 'Otto Outsider', role: 'customer', organizationId: orgB.id });
    // Enterprise urgent: 4 h first response, 24 h resolution, around the clock.
    ticket = await createTicket(h, { subject: 'Rocket launch console is down', description: 'Nothing loads since 10:00.', priority: 'urgent', organizationId: orgA.id, requester: { email: customer.email, name: customer.name } });
    // Others around it, less urgent, so the queue has an order to show.
    const initech = await createOrg(h, 'professional', 'Initech');
    for (const [subject, priority, organizationId] of [
      ['Invoice question', 'low', orgA.id],
      ['Export to CSV fails with an error', 'high', orgB.id],
      ['SSO login loops back to the start page', 'high', initech.id],
      ['How do I add a second admin?', 'normal', initech.id],
      ['Webhook deliveries arrive twice', 'normal', orgB.id],
    ] as const) {
      await createTicket(h, { subject, description: '…', priority, organizationId });
    }
    agentCtx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    agentPage = await agentCtx.newPage();
    watcherCtx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    watcher = await watcherCtx.newPage();
  });
  after(async () => {
    await agentCtx?.close();
    await watcherCtx?.close();
    await browser?.close();
    await h?.close();
  });

  const row = (p: Page, id = ticket.id) => p.locator(`#queue-rows tr[data-ticket="${id}"]`);

  it('an agent signs in and sees the queue by SLA urgency with countdowns that tick', async () => {
    await signIn(agentPage, h.baseUrl, agent, /\/console$/);
    await signIn(watcher, h.baseUrl, agent2, /\/console$/);
    const numbers = await agentPage.locator('#queue-rows tr[data-ticket] td:first-child').allTextContents();
    assert.equal(numbers[0], ticket.number, 'the urgent ticket (nearest deadline) comes first');
    const countdown = row(agentPage).locator('time[data-countdown]');
    const first = await countdown.textContent();
    assert.match(first ?? '', /^in 3h 5\dm \d\ds$/);
    await eventually(async () => (await countdown.textContent()) !== first, 3_000, 'the countdown to tick in the page');
    assert.equal((await row(agentPage).locator('.assignee').textContent())?.trim(), 'unassigned');
    await screenshot(agentPage, 'queue');
  });

  it('takes a ticket from the queue; another agent’s queue shows it without a reload', async () => {
    await Promise.all([agentPage.waitForURL(new RegExp(`/console/tickets/${ticket.id}`)), row(agentPage).getByRole('button', { name: `Take ${ticket.number}` }).click()]);
    assert.equal(await agentPage.locator('#ticket-assignee').textContent(), agent.email);
    const stored = await h.database.db.selectFrom('tickets').select('assignee').where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.equal(stored.assignee, agent.email, 'the assignment went through the workflow to the record');
    // The watcher never reloads: the server-sent event makes the page fetch its rows again.
    await eventually(async () => (await row(watcher).locator('.assignee').textContent())?.trim() === agent.email, 10_000, 'the other agent’s queue to show the new assignee');
  });

  it('replies, and the first-response clock shows met; another agent on the ticket page sees it live', async () => {
    await watcher.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    assert.equal(await watcher.locator('#clock-first_response .clock-state').textContent(), 'running');
    await agentPage.getByLabel('Your message').fill('We are on it: the launch console is being restarted.');
    await Promise.all([agentPage.waitForURL(/notice=/), agentPage.getByRole('button', { name: 'Send public reply' }).click()]);
    assert.equal(await agentPage.locator('#clock-first_response .clock-state').textContent(), 'met');
    await eventually(async () => (await watcher.locator('#clock-first_response .clock-state').textContent()) === 'met', 10_000, 'the other agent’s ticket page to show the clock met without a reload');
    assert.match((await watcher.locator('.conversation').textContent()) ?? '', /being restarted/);
    assert.equal(await watcher.getByRole('status').count(), 0, 'the watcher’s page was refreshed in place, not reloaded with a notice');
    assert.match((await agentPage.locator('.conversation .msg-public.author-agent .body').last().textContent()) ?? '', /being restarted/);
    const inputs = await h.lifecycle.slaInputs(ticket.id);
    const sla = describeSla(inputs!, Date.now());
    assert.ok(sla.firstResponse?.metAt, 'the workflow met the first-response clock');
    assert.equal(sla.firstResponse?.breached, false);
    // An internal note is set apart, and never shown to the customer (below).
    await agentPage.getByLabel('Your message').fill('Internal: root cause is the disk on rocket-3.');
    await Promise.all([agentPage.waitForURL(/notice=/), agentPage.getByRole('button', { name: 'Add internal note' }).click()]);
    assert.match((await agentPage.locator('.conversation .msg-internal').textContent()) ?? '', /Internal note.*Ada Agent/s);
  });

  it('sets pending, and the resolution clock shows paused', async () => {
    await Promise.all([agentPage.waitForURL(/notice=/), agentPage.getByRole('button', { name: 'Set pending' }).click()]);
    assert.equal(await agentPage.locator('#clock-resolution .clock-state').textContent(), 'paused');
    assert.match((await agentPage.locator('#ticket-status').textContent()) ?? '', /Pending/);
    const t = await h.database.db.selectFrom('tickets').select(['status', 'res_paused_since', 'res_due_at']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.equal(t.status, 'pending');
    assert.ok(t.res_paused_since, 'the record shows the resolution clock paused');
    assert.ok(describeSla((await h.lifecycle.slaInputs(ticket.id))!, Date.now()).resolution?.pausedSince, 'the workflow paused it');
    await screenshot(agentPage, 'ticket');
    // Pending tickets wait on the customer: out of the "needs action" queue.
    await agentPage.goto(`${h.baseUrl}/console`);
    assert.equal(await row(agentPage).count(), 0);
  });

  it('the customer, in another browser context, sees the reply and answers; the ticket is back in the agent’s queue', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await signIn(page, h.baseUrl, customer, /\/portal$/);
      await page.getByRole('link', { name: ticket.number }).click();
      await page.waitForURL(new RegExp(`/portal/tickets/${ticket.id}`));
      assert.equal(await page.locator('#portal-status').textContent(), 'Waiting for your reply');
      const text = (await page.locator('.conversation').textContent()) ?? '';
      assert.match(text, /being restarted/, 'the public reply is there');
      assert.doesNotMatch(text, /root cause|rocket-3/, 'the internal note is not');
      assert.doesNotMatch(await page.content(), /rocket-3/);
      await screenshot(page, 'portal-ticket');
      await page.getByLabel('Your reply').fill('Thanks! It is still down for us.');
      await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Send reply' }).click()]);
      assert.equal(await page.locator('#portal-status').textContent(), 'We are working on it');
    } finally {
      await ctx.close();
    }
    // The agent's queue page is open and is not reloaded.
    await eventually(async () => (await row(agentPage).count()) === 1, 10_000, 'the ticket to come back to the agent’s queue');
    const t = await h.database.db.selectFrom('tickets').select(['status', 'res_paused_since']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.equal(t.status, 'open');
    assert.equal(t.res_paused_since, null, 'the resolution clock runs again');
    const comments = await h.database.db.selectFrom('comments').select(['author_type', 'body']).where('ticket_id', '=', ticket.id).orderBy('created_at').execute();
    assert.deepEqual(comments.map((c) => c.author_type), ['agent', 'agent', 'customer']);
  });

  it('a customer of another organization gets 404 on that ticket, in the portal and in the API', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await signIn(page, h.baseUrl, outsider, /\/portal$/);
      const listed = await page.locator('tr[data-ticket] td:nth-child(2)').allTextContents();
      assert.deepEqual(listed.sort(), ['Export to CSV fails with an error', 'Webhook deliveries arrive twice'], 'Globex’s own tickets, none of Acme’s');
      const res = await page.goto(`${h.baseUrl}/portal/tickets/${ticket.id}`);
      assert.equal(res?.status(), 404);
      assert.doesNotMatch(await page.content(), /Rocket launch/);
      const api = await page.request.get(`${h.baseUrl}/api/v1/tickets/${ticket.id}`);
      assert.equal(api.status(), 404);
      // A customer who tries the console lands in the portal.
      await page.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
      assert.match(page.url(), /\/portal$/);
    } finally {
      await ctx.close();
    }
  });

  it('changing the priority re-targets the clocks visibly', async () => {
    await agentPage.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    const before = await agentPage.locator('#clock-resolution .clock-due').textContent();
    await agentPage.getByLabel('Priority').selectOption('high');
    await Promise.all([agentPage.waitForURL(/notice=/), agentPage.getByRole('button', { name: 'Change priority' }).click()]);
    const after = await agentPage.locator('#clock-resolution .clock-due').textContent();
    assert.notEqual(after, before, 'the resolution due time moved');
    assert.equal(await agentPage.locator('#ticket-priority').textContent(), 'high');
    const t = await h.database.db.selectFrom('tickets').select('priority').where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.equal(t.priority, 'high');
  });

  it('escalates now: the next ladder step’s actions run at once, and the ladder keeps its schedule', async () => {
    await agentPage.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    await Promise.all([agentPage.waitForURL(/notice=/), agentPage.getByRole('button', { name: 'Escalate now' }).click()]);
    // First response is met, so the next step is resolution's first one (enterprise high: 80%, notify the manager).
    assert.match((await agentPage.getByRole('status').textContent()) ?? '', /^Escalated now: the 80% resolution step's actions are running\.$/);
    const manual = await eventually(
      async () => {
        const rows = await h.database.db.selectFrom('ticket_events').select(['type', 'data']).where('ticket_id', '=', ticket.id).where('type', 'in', ['action.done', 'action.skipped']).execute();
        return rows.filter((r) => String((r.data as { step?: string }).step ?? '').startsWith('resolution:0:80:manual:'));
      },
      10_000,
      'the manual escalation’s actions on the timeline',
    );
    assert.ok(manual.length >= 1);
    const escalated = await h.database.db.selectFrom('ticket_events').select(['actor', 'data']).where('ticket_id', '=', ticket.id).where('type', '=', 'sla.escalated_manually').execute();
    assert.equal(escalated.length, 1);
    assert.equal(escalated[0]!.actor, 'agent:Ada Agent');
    const sla = describeSla((await h.lifecycle.slaInputs(ticket.id))!, Date.now());
    assert.deepEqual(sla.resolution?.escalations.map((e) => e.fired), [false, false, false], 'the ladder steps still fire at their own instants');
    await agentPage.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    assert.match((await agentPage.locator('.timeline').textContent()) ?? '', /sla\.escalated_manually resolution 80%/);
  });

  it('refuses a form post without the CSRF token, and changes nothing', async () => {
    const count = async () => Number((await h.database.db.selectFrom('comments').select((eb) => eb.fn.countAll<string>().as('n')).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow()).n);
    const before = await count();
    // The signed-in agent's own cookies, but no token: what a forged cross-site form would send.
    const missing = await agentPage.request.post(`${h.baseUrl}/console/tickets/${ticket.id}/reply`, { form: { body: 'forged', visibility: 'public' }, maxRedirects: 0 });
    assert.equal(missing.status(), 403);
    const wrong = await agentPage.request.post(`${h.baseUrl}/console/tickets/${ticket.id}/reply`, { form: { body: 'forged', visibility: 'public', _csrf: 'not-the-token' }, maxRedirects: 0 });
    assert.equal(wrong.status(), 403);
    const api = await agentPage.request.post(`${h.baseUrl}/api/v1/tickets/${ticket.id}/comments`, { data: { body: 'forged' } });
    assert.equal(api.status(), 403, 'the API refuses a cookie-authenticated write without X-CSRF-Token');
    assert.equal((await api.json()).error.code, 'csrf_failed');
    assert.equal(await count(), before, 'nothing was written');
    // With the page's token the API accepts the same cookie.
    const token = await agentPage.locator('meta[name="csrf-token"]').getAttribute('content');
    const ok = await agentPage.request.post(`${h.baseUrl}/api/v1/tickets/${ticket.id}/comments`, { data: { body: 'Via the API with the session', public: false }, headers: { 'x-csrf-token': token! } });
    assert.equal(ok.status(), 201);
  });

  it('refuses a wrong password, and locks out after 5 failures', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      for (let i = 1; i <= 5; i++) {
        await page.goto(`${h.baseUrl}/login`);
        await page.getByLabel('Email').fill(agent2.email);
        await page.getByLabel('Password').fill('wrong password');
        const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
        assert.equal(res.status(), 401);
        assert.equal(await page.getByRole('alert').textContent(), 'Wrong email or password.');
      }
      assert.equal((await ctx.cookies()).some((c) => c.name === 'pacer_session'), false, 'no session was made');
      // The sixth attempt is refused even with the right password.
      await page.goto(`${h.baseUrl}/login`);
      await page.getByLabel('Email').fill(agent2.email);
      await page.getByLabel('Password').fill(agent2.password);
      const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
      assert.equal(res.status(), 429);
      assert.match((await page.getByRole('alert').textContent()) ?? '', /Too many failed sign-ins/);
      // A sign-in form posted without its CSRF cookie is refused too.
      const forged = await ctx.request.post(`${h.baseUrl}/login`, { form: { email: agent.email, password: agent.password, _csrf: 'x' }, maxRedirects: 0 });
      assert.equal(forged.status(), 403);
    } finally {
      await ctx.close();
    }
  });

  it('signs out: the session ends on the server', async () => {
    await agentPage.goto(`${h.baseUrl}/console`);
    await Promise.all([agentPage.waitForURL(/\/login$/), agentPage.getByRole('button', { name: 'Sign out' }).click()]);
    const res = await agentPage.goto(`${h.baseUrl}/console`);
    assert.match(agentPage.url(), /\/login\?next=/);
    assert.equal(res?.status(), 200);
    const sessions = await h.database.db.selectFrom('sessions').select('user_id').where('user_id', '=', agent.id).execute();
    assert.equal(sessions.length, 0);
  });
});
