/**
 * The calendar and SLA policy forms in Chromium: an admin creates a calendar with a split
 * day and a holiday, edits it, puts a new policy on it and previews it (the same instants as
 * POST /sla/preview); bad input shows next to its field and changes nothing (checked through
 * the API); a calendar in use is not deleted; a manager sees no edit controls and is refused.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createUser, launchChromium, signIn, type TestUser } from '../support/browser';
import { bodyOf, listCalendars, listPolicies } from '../api/api-helpers';
import { formatInstant } from '../../src/http/web/format';
import { slaPreviewResponse } from '../../src/http/api/openapi/responses';

async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter((el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.labels && el.labels.length) return false;
    return true;
  }).map((el) => el.outerHTML.slice(0, 120))`) as Promise<string[]>;
}

/** Clicks a submit button and waits for the page the post answers with. */
async function submit(page: Page, name: string): Promise<number> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name, exact: true }).click()]);
  await page.waitForLoadState('load');
  return res.status();
}

describe('E2E: admin calendar and SLA policy forms', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let admin: TestUser;
  let manager: TestUser;
  let calendarId: string;
  let policyId: string;

  const calendarNamed = async (name: string) => (await listCalendars(h)).find((c) => c.name === name);
  const policyNamed = async (name: string) => (await listPolicies(h)).find((p) => p.name === name);

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    admin = await createUser(h, { email: 'cal-admin@pacer.test', name: 'Cal Admin', role: 'admin', timeZone: 'America/New_York' });
    manager = await createUser(h, { email: 'cal-mgr@pacer.test', name: 'Cal Manager', role: 'manager' });
    ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, h.baseUrl, admin, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await h?.close();
  });

  it('creates a calendar with a split day and a holiday, lists it, and edits its time zone', async () => {
    await page.goto(`${h.baseUrl}/console/admin/calendars`);
    await Promise.all([page.waitForURL(/\/calendars\/new$/), page.getByRole('link', { name: 'New calendar' }).click()]);
    assert.deepEqual(await unlabelled(page), []);
    await page.getByLabel('Name').fill('Split days');
    await page.getByLabel(/Time zone/).fill('Europe/Berlin');
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await page.getByLabel(day, { exact: true }).fill('09:00–12:00, 13:00–17:00');
    await page.getByLabel(/Holidays/).fill('2026-12-24');
    assert.equal(await submit(page, 'Add calendar'), 303);
    assert.match(page.url(), /\/console\/admin\/calendars\?notice=/);
    const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Split days' }) });
    assert.equal(await card.locator('.timezone').textContent(), 'Europe/Berlin');
    assert.match((await card.textContent()) ?? '', /09:00–12:00\s*13:00–17:00/);
    const created = await calendarNamed('Split days');
    assert.ok(created, 'the calendar is in the API');
    calendarId = created.id;
    assert.deepEqual(created.weekly.mon, [['09:00', '12:00'], ['13:00', '17:00']]);
    assert.deepEqual(created.weekly.sat, []);
    assert.deepEqual(created.holidays, ['2026-12-24']);

    await Promise.all([page.waitForURL(/\/edit$/), page.getByRole('link', { name: 'Edit Split days' }).click()]);
    assert.equal(await page.getByLabel('Monday', { exact: true }).inputValue(), '09:00–12:00, 13:00–17:00');
    await page.getByLabel(/Time zone/).fill('America/New_York');
    assert.equal(await submit(page, 'Save calendar'), 303);
    assert.equal(await card.locator('.timezone').textContent(), 'America/New_York');
    const edited = await calendarNamed('Split days');
    assert.ok(edited, 'the calendar is still in the API');
    assert.equal(edited.timezone, 'America/New_York');
    assert.deepEqual(edited.weekly.fri, [['09:00', '12:00'], ['13:00', '17:00']]);
  });

  it('a bad time zone or a bad window is shown next to its field and changes nothing', async () => {
    const before = await calendarNamed('Split days');
    await page.goto(`${h.baseUrl}/console/admin/calendars/${calendarId}/edit`);
    await page.getByLabel(/Time zone/).fill('Mars/Olympus_Mons');
    assert.equal(await submit(page, 'Save calendar'), 400);
    assert.match((await page.locator('#cal-tz-error').textContent()) ?? '', /unknown IANA time zone/);
    assert.equal(await page.getByLabel(/Time zone/).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel(/Time zone/).inputValue(), 'Mars/Olympus_Mons', 'the form keeps what was typed');
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Nothing was saved/);
    assert.deepEqual(await calendarNamed('Split days'), before);

    await page.getByLabel(/Time zone/).fill('America/New_York');
    await page.getByLabel('Wednesday', { exact: true }).fill('09:00–12:00, 9am–5pm');
    assert.equal(await submit(page, 'Save calendar'), 400);
    assert.match((await page.locator('#cal-wed-error').textContent()) ?? '', /window 2: .*HH:MM/);
    assert.equal(await page.locator('#cal-tz-error').count(), 0);
    await page.getByLabel('Wednesday', { exact: true }).fill('13:00–12:00');
    assert.equal(await submit(page, 'Save calendar'), 400);
    assert.match((await page.locator('#cal-wed-error').textContent()) ?? '', /start must be before end/);
    assert.deepEqual(await calendarNamed('Split days'), before);
  });

  describe('an SLA policy created on the calendar through its form', () => {
    const ladder = [{ percent: 50, actions: [{ type: 'notify', role: 'manager' }] }, { percent: 100, actions: [] }];

    it('the new-policy form labels every control', async () => {
      await page.goto(`${h.baseUrl}/console/admin/policies`);
      await Promise.all([page.waitForURL(/\/policies\/new$/), page.getByRole('link', { name: 'New SLA policy' }).click()]);
      assert.deepEqual(await unlabelled(page), []);
    });

    it('saves every field of the form as the API then reads it', async () => {
      await page.getByLabel('Name').fill('Starter urgent, split days');
      await page.getByLabel('Tier').selectOption('starter');
      await page.getByLabel('Priority').selectOption('urgent');
      await page.getByLabel('Calendar').selectOption(calendarId);
      await page.getByLabel(/First response target/).fill('240');
      await page.getByLabel(/Resolution target/).fill('960');
      await page.locator('input[name=pauseOn][value=on_hold]').check();
      await page.getByLabel(/linked incident/).uncheck();
      await page.getByLabel(/Auto-close/).fill('5');
      await page.getByLabel(/Escalation ladder/).fill(JSON.stringify(ladder));
      assert.equal(await submit(page, 'Add policy'), 303);
      const p = await policyNamed('Starter urgent, split days');
      assert.ok(p, 'the policy is in the API');
      policyId = p.id;
      assert.deepEqual(
        { tier: p.tier, priority: p.priority, calendarId: p.calendarId, firstResponseMinutes: p.firstResponseMinutes, resolutionMinutes: p.resolutionMinutes, pauseOn: p.pauseOn, pauseOnIncident: p.pauseOnIncident, autoCloseDays: p.autoCloseDays, escalations: p.escalations },
        { tier: 'starter', priority: 'urgent', calendarId, firstResponseMinutes: 240, resolutionMinutes: 960, pauseOn: ['pending', 'on_hold'], pauseOnIncident: false, autoCloseDays: 5, escalations: ladder },
      );
    });

    it('previews the new policy, chosen on the list, exactly as POST /sla/preview computes it', async () => {
      // The save lands on the list with the new policy chosen for the preview. From Wednesday
      // 11:00 New York time: first response is 1h before lunch and 3h after; resolution (16h) skips
      // lunch, the holiday on Thursday and the weekend.
      assert.equal(await page.getByLabel('Policy').inputValue(), policyId);
      await page.getByLabel(/Start/).fill('2026-12-23T11:00');
      await Promise.all([page.waitForURL(/start=/), page.getByRole('button', { name: 'Preview' }).click()]);
      const cal = await calendarNamed('Split days');
      assert.ok(cal, 'the calendar is in the API');
      const api = await h.api('/api/v1/sla/preview', {
        body: { policy: { calendar: { timezone: cal.timezone, weekly: cal.weekly, holidays: cal.holidays }, firstResponseMinutes: 240, resolutionMinutes: 960, pauseOn: ['pending', 'on_hold'], escalations: ladder.map((e) => ({ percent: e.percent })) }, createdAt: '2026-12-23T16:00:00Z', events: [] },
      });
      const apiBody = bodyOf(api, slaPreviewResponse);
      assert.equal(apiBody.firstResponse.dueAt, '2026-12-23T21:00:00.000Z', 'Wednesday 16:00 EST');
      assert.equal(apiBody.resolution.dueAt, '2026-12-28T19:00:00.000Z', 'Monday 14:00 EST');
      const dues = await page.locator('#preview .preview-due').allTextContents();
      assert.deepEqual(dues, [formatInstant(apiBody.firstResponse.dueAt, 'America/New_York'), formatInstant(apiBody.resolution.dueAt, 'America/New_York')]);
      assert.equal(await page.locator('#preview section').first().locator('.ladder li').count(), 2);
    });
  });

  describe('then refusals, deletions and what a manager sees', () => {
    it('a bad policy form shows each problem at its field and changes nothing', async () => {
      const before = await policyNamed('Starter urgent, split days');
      await page.goto(`${h.baseUrl}/console/admin/policies/${policyId}/edit`);
      assert.equal(await page.getByLabel(/linked incident/).isChecked(), false);
      await page.getByLabel(/First response target/).fill('-5');
      await page.getByLabel(/Escalation ladder/).fill('[{"percent": 80,');
      await page.getByLabel(/Auto-close/).fill('');
      assert.equal(await submit(page, 'Save policy'), 400);
      assert.ok(((await page.locator('#pol-first-error').textContent()) ?? '').length > 0);
      assert.match((await page.locator('#pol-ladder-error').textContent()) ?? '', /not valid JSON/);
      assert.equal(await page.locator('#pol-autoclose-error').count(), 0);
      assert.deepEqual(await policyNamed('Starter urgent, split days'), before);
      await page.getByLabel(/First response target/).fill('240');
      await page.getByLabel(/Escalation ladder/).fill('[{"percent": -1}]');
      assert.equal(await submit(page, 'Save policy'), 400);
      assert.match((await page.locator('#pol-ladder-error').textContent()) ?? '', /step 1 percent/);
      assert.deepEqual(await policyNamed('Starter urgent, split days'), before);
    });

    it('a calendar in use is not deleted; an unused one is', async () => {
      await page.goto(`${h.baseUrl}/console/admin/calendars`);
      await Promise.all([page.waitForURL(/error=/), page.getByRole('button', { name: 'Delete Split days' }).click()]);
      assert.match((await page.getByRole('alert').textContent()) ?? '', /Split days was not deleted: it is used by Starter urgent, split days/);
      assert.ok(await calendarNamed('Split days'));
      const spare = await h.api('/api/v1/calendars', { body: { name: 'Spare', timezone: 'UTC', weekly: { mon: [['00:00', '24:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } } });
      assert.equal(spare.status, 201, JSON.stringify(spare.body));
      await page.reload();
      await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Delete Spare' }).click()]);
      assert.equal(await calendarNamed('Spare'), undefined);
    });

    it('a manager sees the calendars and policies without edit controls, and its posts are refused', async () => {
      const other = await browser.newContext();
      try {
        const p = await other.newPage();
        await signIn(p, h.baseUrl, manager, /\/console$/);
        await p.goto(`${h.baseUrl}/console/admin/calendars`);
        assert.match((await p.locator('main').textContent()) ?? '', /Split days/);
        assert.equal(await p.getByRole('link', { name: 'New calendar' }).count(), 0);
        assert.equal(await p.getByRole('link', { name: /^Edit/ }).count(), 0);
        assert.equal(await p.getByRole('button', { name: /^Delete/ }).count(), 0);
        await p.goto(`${h.baseUrl}/console/admin/policies`);
        assert.equal(await p.getByRole('link', { name: 'New SLA policy' }).count(), 0);
        assert.equal(await p.getByRole('link', { name: /^Edit/ }).count(), 0);
        assert.equal((await p.goto(`${h.baseUrl}/console/admin/calendars/new`))?.status(), 403);
        const token = (await p.locator('meta[name="csrf-token"]').getAttribute('content'))!;
        const before = await calendarNamed('Split days');
        const posts = [
          p.request.post(`${h.baseUrl}/console/admin/calendars`, { form: { _csrf: token, name: 'Sneaky', timezone: 'UTC' }, maxRedirects: 0 }),
          p.request.post(`${h.baseUrl}/console/admin/calendars/${calendarId}`, { form: { _csrf: token, name: 'Split days', timezone: 'UTC' }, maxRedirects: 0 }),
          p.request.post(`${h.baseUrl}/console/admin/calendars/${calendarId}/delete`, { form: { _csrf: token }, maxRedirects: 0 }),
          p.request.post(`${h.baseUrl}/console/admin/policies/${policyId}`, { form: { _csrf: token, name: 'Sneaky' }, maxRedirects: 0 }),
        ];
        for (const res of await Promise.all(posts)) assert.equal(res.status(), 403);
        assert.equal(await calendarNamed('Sneaky'), undefined);
        assert.deepEqual(await calendarNamed('Split days'), before);
        assert.equal((await policyNamed('Starter urgent, split days'))?.name, 'Starter urgent, split days');
      } finally {
        await other.close();
      }
    });
  });
});
