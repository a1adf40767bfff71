/**
 * Admin pages and accessibility in Chromium: the SLA preview (pick a policy and a start
 * time, see the due times and the ladder, the same instants as POST /sla/preview), adding
 * an organization and a user through forms, managers read-only, agents kept out; every form
 * control on every page has a label, the queue works from the keyboard, and a subject full
 * of markup is shown as text.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createOrg, createTicket, type Organization } from '../api/api-helpers';
import { createUser, launchChromium, signIn, type TestUser } from '../support/browser';
import { formatInstant, relative } from '../../src/http/web/format';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { slaPreviewResponse } from '../../src/http/api/openapi/responses';

/** Form controls without an accessible name: a label, aria-label or aria-labelledby. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter((el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.labels && el.labels.length) return false;
    return true;
  }).map((el) => el.outerHTML.slice(0, 120))`) as Promise<string[]>;
}

describe('E2E: admin pages and accessibility', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let admin: TestUser;
  let manager: TestUser;
  let agent: TestUser;
  let customer: TestUser;
  let org: Organization;
  let ticket: TicketView;
  let unanswered: TicketView;

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    org = await createOrg(h, 'professional', 'Initech');
    admin = await createUser(h, { email: 'root@pacer.test', name: 'Ria Admin', role: 'admin', timeZone: 'America/New_York' });
    manager = await createUser(h, { email: 'mo@pacer.test', name: 'Mo Manager', role: 'manager' });
    agent = await createUser(h, { email: 'al@pacer.test', name: 'Al Agent', role: 'agent' });
    customer = await createUser(h, { email: 'pat@initech.test', name: 'Pat', role: 'customer', organizationId: org.id });
    ticket = await createTicket(h, { subject: '<img src=x onerror=alert(1)> TPS reports & "cover sheets"', priority: 'high', organizationId: org.id, requester: { email: customer.email } });
    unanswered = await createTicket(h, { subject: 'Cannot reset my password', priority: 'urgent', organizationId: org.id, requester: { email: customer.email } });
    ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, h.baseUrl, admin, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await h?.close();
  });

  it('shows a subject full of markup as text, never as markup', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${h.baseUrl}/console`);
    assert.equal(await page.locator(`tr[data-ticket="${ticket.id}"] .subject`).textContent(), '<img src=x onerror=alert(1)> TPS reports & "cover sheets"');
    await page.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    assert.equal(await page.locator('main img').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  it('previews an SLA policy: due times and ladder in the admin’s time zone, as the preview API computes them', async () => {
    await page.goto(`${h.baseUrl}/console/admin/policies`);
    const policy = await h.database.db.selectFrom('sla_policies').select(['id', 'name']).where('tier', '=', 'professional').where('priority', '=', 'high').executeTakeFirstOrThrow();
    await page.getByLabel('Policy').selectOption(policy.id);
    // Friday 16:00 in New York; professional high: 24 business hours on 9–17 weekdays.
    await page.getByLabel(/Start/).fill('2026-11-20T16:00');
    await Promise.all([page.waitForURL(/policy=/), page.getByRole('button', { name: 'Preview' }).click()]);
    const calendar = await h.database.db.selectFrom('sla_policies as p').innerJoin('calendars as c', 'c.id', 'p.calendar_id').select(['c.timezone', 'c.weekly', 'c.holidays', 'p.first_response_minutes', 'p.resolution_minutes', 'p.pause_on', 'p.escalations']).where('p.id', '=', policy.id).executeTakeFirstOrThrow();
    const api = await h.api('/api/v1/sla/preview', {
      body: { policy: { calendar: { timezone: calendar.timezone, weekly: calendar.weekly, holidays: calendar.holidays }, firstResponseMinutes: calendar.first_response_minutes, resolutionMinutes: calendar.resolution_minutes, pauseOn: calendar.pause_on, escalations: (calendar.escalations as Array<{ percent: number }>).map((e) => ({ percent: e.percent })) }, createdAt: '2026-11-20T21:00:00Z', events: [] },
    });
    const apiBody = bodyOf(api, slaPreviewResponse);
    const dues = await page.locator('#preview .preview-due').allTextContents();
    assert.deepEqual(dues, [formatInstant(apiBody.firstResponse.dueAt, 'America/New_York'), formatInstant(apiBody.resolution.dueAt, 'America/New_York')]);
    const ladder = await page.locator('#preview section').first().locator('.ladder li').allTextContents();
    assert.equal(ladder.length, apiBody.firstResponse.escalations.length);
    assert.match(ladder[0]!, new RegExp(`^${apiBody.firstResponse.escalations[0]?.percent}%`));
    assert.deepEqual(await unlabelled(page), []);
  });

  it('adds an organization and a user through the admin forms', async () => {
    await page.goto(`${h.baseUrl}/console/admin/organizations`);
    await page.getByLabel('Name').fill('Umbrella');
    await page.getByLabel('Tier', { exact: true }).selectOption('enterprise');
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Add' }).click()]);
    const umbrella = await h.database.db.selectFrom('organizations').selectAll().where('name', '=', 'Umbrella').executeTakeFirstOrThrow();
    assert.equal(umbrella.tier, 'enterprise');
    assert.deepEqual(await unlabelled(page), []);
    await page.goto(`${h.baseUrl}/console/admin/users`);
    await page.getByLabel('Email').fill('newbie@umbrella.test');
    await page.getByLabel('Name').fill('Newbie');
    await page.getByLabel('Role').selectOption('customer');
    await page.getByLabel('Organization (customers)').selectOption(umbrella.id);
    await page.getByLabel(/Initial password/).fill('a long enough password');
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Add user' }).click()]);
    const u = await h.database.db.selectFrom('users').selectAll().where('email', '=', 'newbie@umbrella.test').executeTakeFirstOrThrow();
    assert.equal(u.role, 'customer');
    assert.equal(u.organization_id, umbrella.id);
    await page.goto(`${h.baseUrl}/console/admin/calendars`);
    assert.match((await page.locator('main').textContent()) ?? '', /America\/New_York/);
  });

  it('managers may look but not change; agents and customers do not see admin pages', async () => {
    const other = await browser.newContext();
    try {
      const p = await other.newPage();
      await signIn(p, h.baseUrl, manager, /\/console$/);
      await p.goto(`${h.baseUrl}/console/admin/organizations`);
      assert.equal(await p.getByRole('button', { name: 'Change tier' }).count(), 0);
      const token = await p.locator('meta[name="csrf-token"]').getAttribute('content');
      const refused = await p.request.post(`${h.baseUrl}/console/admin/organizations`, { form: { name: 'Sneaky', tier: 'premium', _csrf: token! }, maxRedirects: 0 });
      assert.equal(refused.status(), 403);
      assert.equal(await h.database.db.selectFrom('organizations').select('id').where('name', '=', 'Sneaky').executeTakeFirst(), undefined);
      await p.getByRole('button', { name: 'Sign out' }).click();
      await p.waitForURL(/\/login$/);
      await signIn(p, h.baseUrl, agent, /\/console$/);
      assert.equal(await p.getByRole('link', { name: 'Admin' }).count(), 0);
      assert.equal((await p.goto(`${h.baseUrl}/console/admin/policies`))?.status(), 404);
    } finally {
      await other.close();
    }
  });

  describe('the queue, the ticket page and the portal label every control and work from the keyboard', () => {
    it('the queue labels every control, and the first Tab reaches the skip link', async () => {
      await page.goto(`${h.baseUrl}/console`);
      assert.deepEqual(await unlabelled(page), []);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    });

    it('Enter on a focused ticket link opens the ticket, whose page labels every control', async () => {
      await page.locator(`tr[data-ticket="${ticket.id}"] a`).focus();
      await Promise.all([page.waitForURL(new RegExp(`/console/tickets/${ticket.id}`)), page.keyboard.press('Enter')]);
      assert.deepEqual(await unlabelled(page), []);
    });

    it('a reply typed and sent from the keyboard lands in the conversation', async () => {
      await page.getByLabel('Your message').focus();
      await page.keyboard.type('Typed from the keyboard.');
      await page.keyboard.press('Tab');
      await Promise.all([page.waitForURL(/notice=/), page.keyboard.press('Enter')]);
      assert.match((await page.locator('.conversation').textContent()) ?? '', /Typed from the keyboard\./);
    });

    describe('the portal, signed in as the customer', () => {
      let c: BrowserContext;
      let p: Page;

      before(async () => {
        c = await browser.newContext();
        p = await c.newPage();
        await signIn(p, h.baseUrl, customer, /\/portal$/);
      });
      after(async () => c?.close());

      it('labels every control, and its search finds the ticket by its subject and nothing for other words', async () => {
        assert.deepEqual(await unlabelled(p), []);
        await p.getByLabel('Search').fill('TPS');
        await Promise.all([p.waitForURL(/q=TPS/), p.getByRole('button', { name: 'Search' }).click()]);
        assert.equal(await p.locator('tr[data-ticket]').count(), 1);
        await p.getByLabel('Search').fill('no such words');
        await Promise.all([p.waitForURL(/q=no/), p.getByRole('button', { name: 'Search' }).click()]);
        assert.equal(await p.locator('tr[data-ticket]').count(), 0);
      });

      it('labels every control of an answered ticket, and says when it was answered and what is left', async () => {
        await p.goto(`${h.baseUrl}/portal/tickets/${ticket.id}`);
        assert.deepEqual(await unlabelled(p), []);
        // The agent answered above: the promise now says when, and what is left.
        const promise = (await p.locator('.promise').textContent()) ?? '';
        assert.match(promise, /We first answered on /);
        assert.match(promise, /We aim to resolve it by .* \(within 5 business days\)/);
        assert.equal(await p.locator('#portal-status').textContent(), 'We are working on it');
      });

      it("says in plain words, in the customer's zone, what is promised for an unanswered ticket", async () => {
        // Not answered yet: the promise in plain words, in the customer's zone (UTC here).
        await p.goto(`${h.baseUrl}/portal/tickets/${unanswered.id}`);
        assert.equal(await p.locator('#portal-status').textContent(), 'Received — we will get back to you');
        const promisedBy = unanswered.sla.firstResponse.dueAt;
        assert.ok(promisedBy, 'an urgent ticket has a first-response due time');
        assert.equal(
          await p.locator('#promise-first-response').textContent(),
          `We promise a first answer by ${formatInstant(promisedBy, 'UTC')} (within 8 business hours) — ${relative(promisedBy)}.`,
        );
      });
    });
  });
});
