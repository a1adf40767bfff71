/**
 * The console's settings forms in Chromium for the repeating clocks and calendar rollouts:
 * the SLA policy form edits the next-reply target and ladder and the update cadence and its
 * ladder; the incident policy form (Admin → Incident policies) edits a severity's update
 * cadence and ladders; bad input shows at its field and changes nothing; the calendar form
 * previews an edit's impact on open tickets, changing nothing until the admin confirms.
 * Every value is read back through the API.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createUser, launchChromium, signIn } from '../support/browser';
import { bodyOf, createOrg, createTicket, eventually, listCalendars, listPolicies } from '../api/api-helpers';
import { incidentPolicyResponse, listOf } from '../../src/http/api/openapi/responses';

/** Clicks a submit button and answers the status of the page the post answers with. */
async function submit(page: Page, name: string): Promise<number> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name, exact: true }).click()]);
  await page.waitForLoadState('load');
  return res.status();
}

describe('E2E: repeating clocks and calendar impact in the settings forms', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;

  const policyOf = async (tier: string, priority: string) => {
    const p = (await listPolicies(h)).find((x) => x.tier === tier && x.priority === priority);
    assert.ok(p, `a seeded ${tier} ${priority} policy`);
    return p;
  };
  const incidentPolicy = async (severity: string) => bodyOf(await h.api('/api/v1/incident-policies'), listOf(incidentPolicyResponse)).data.find((p) => p.severity === severity);

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    const admin = await createUser(h, { email: 'clocks-admin@pacer.test', name: 'Clock Admin', role: 'admin', timeZone: 'America/New_York' });
    ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, h.baseUrl, admin, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await h?.close();
  });

  it('the SLA policy form saves the next-reply and update-cadence targets and ladders', async () => {
    const p = await policyOf('enterprise', 'high');
    const nextLadder = [{ percent: 50, actions: [{ type: 'notify', role: 'assignee' }] }, { percent: 100, actions: [] }];
    const updateLadder = [{ percent: 90, actions: [{ type: 'notify', role: 'manager' }] }];
    await page.goto(`${h.baseUrl}/console/admin/policies/${p.id}/edit`);
    await page.getByLabel(/Next reply target/).fill('120');
    await page.getByLabel(/Next-reply ladder/).fill(JSON.stringify(nextLadder));
    await page.getByLabel(/Public update every/).fill('240');
    await page.getByLabel(/Update-cadence ladder/).fill(JSON.stringify(updateLadder));
    assert.equal(await submit(page, 'Save policy'), 303);
    const saved = await policyOf('enterprise', 'high');
    assert.deepEqual(
      { nextReplyMinutes: saved.nextReplyMinutes, nextReplyEscalations: saved.nextReplyEscalations, updateEveryMinutes: saved.updateEveryMinutes, updateEscalations: saved.updateEscalations, escalations: saved.escalations },
      { nextReplyMinutes: 120, nextReplyEscalations: nextLadder, updateEveryMinutes: 240, updateEscalations: updateLadder, escalations: p.escalations },
    );
    // The form shows what is saved; emptying the next-reply target clears it and keeps the rest.
    await page.goto(`${h.baseUrl}/console/admin/policies/${p.id}/edit`);
    assert.equal(await page.getByLabel(/Next reply target/).inputValue(), '120');
    await page.getByLabel(/Next reply target/).fill('');
    assert.equal(await submit(page, 'Save policy'), 303);
    const cleared = await policyOf('enterprise', 'high');
    assert.equal(cleared.nextReplyMinutes, null);
    assert.deepEqual([cleared.nextReplyEscalations, cleared.updateEveryMinutes], [nextLadder, 240]);
  });

  it('a bad next-reply target or ladder is shown at its field and changes nothing', async () => {
    const before = await policyOf('enterprise', 'high');
    await page.goto(`${h.baseUrl}/console/admin/policies/${before.id}/edit`);
    await page.getByLabel(/Next reply target/).fill('-3');
    await page.getByLabel(/Next-reply ladder/).fill('[{"percent": 80,');
    await page.getByLabel(/Update-cadence ladder/).fill('[{"percent": -1}]');
    assert.equal(await submit(page, 'Save policy'), 400);
    assert.ok(((await page.locator('#pol-next-reply-error').textContent()) ?? '').length > 0);
    assert.match((await page.locator('#pol-next-reply-ladder-error').textContent()) ?? '', /not valid JSON/);
    assert.match((await page.locator('#pol-update-ladder-error').textContent()) ?? '', /step 1 percent/);
    assert.deepEqual(await policyOf('enterprise', 'high'), before);
  });

  it('the incident policy form, reached from the admin tabs, saves the update cadence and the ladders', async () => {
    const before = await incidentPolicy('high');
    assert.ok(before, 'a high incident policy');
    await page.goto(`${h.baseUrl}/console/admin/policies`);
    await Promise.all([page.waitForURL(/incident-policies$/), page.getByRole('link', { name: 'Incident policies' }).click()]);
    await Promise.all([page.waitForURL(/\/high\/edit$/), page.getByRole('link', { name: 'Edit high' }).click()]);
    const updateLadder = [{ percent: 75, actions: [{ type: 'notify', role: 'incident_commander' }] }, { percent: 100, actions: [] }];
    await page.getByLabel(/Public update every/).fill('30');
    await page.getByLabel(/Update-cadence ladder/).fill(JSON.stringify(updateLadder));
    await page.getByLabel(/Resolution ladder/).fill('[{"percent": 100, "actions": [{"type": "notify", "role": "incident_manager"}]}]');
    assert.equal(await submit(page, 'Save incident policy'), 303);
    assert.match(page.url(), /\/console\/admin\/incident-policies\?notice=.*rollout=/);
    assert.equal(await page.locator('tr[data-severity=high] .update-every').textContent(), '30 min');
    const after = await incidentPolicy('high');
    assert.deepEqual(
      { ...after, updatedAt: before.updatedAt },
      { ...before, updateEveryMinutes: 30, updateEscalations: updateLadder, resolutionEscalations: [{ percent: 100, actions: [{ type: 'notify', role: 'incident_manager' }] }] },
    );
  });

  it('a bad incident policy form is shown at its fields and changes nothing', async () => {
    const before = await incidentPolicy('medium');
    await page.goto(`${h.baseUrl}/console/admin/incident-policies/medium/edit`);
    await page.getByLabel(/Public update every/).fill('0');
    await page.getByLabel(/Acknowledgement ladder/).fill('not json');
    await page.getByLabel(/Post-mortem reminders/).fill('24, soon');
    assert.equal(await submit(page, 'Save incident policy'), 400);
    for (const id of ['ip-update-every', 'ip-ack-ladder', 'ip-reminders']) assert.ok(((await page.locator(`#${id}-error`).textContent()) ?? '').length > 0, `${id} has its problem`);
    assert.match((await page.locator('#ip-ack-ladder-error').textContent()) ?? '', /not valid JSON/);
    assert.deepEqual(await incidentPolicy('medium'), before);
  });

  it('the calendar form previews the impact on open tickets, changing nothing, and saves only on confirmation', async () => {
    const org = await createOrg(h, 'professional');
    const ticket = await createTicket(h, { organizationId: org.id, priority: 'urgent' });
    await eventually(async () => (await h.lifecycle.slaInputs(ticket.id)) !== null, 30_000, 'ticket workflow');
    const { calendarId } = await policyOf('professional', 'urgent');
    const before = (await listCalendars(h)).find((c) => c.id === calendarId);
    assert.ok(before, 'the policy calendar');
    await page.goto(`${h.baseUrl}/console/admin/calendars/${calendarId}/edit`);
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await page.getByLabel(day, { exact: true }).fill('09:00–11:00');
    await Promise.all([page.waitForURL(/\/impact$/), page.getByRole('button', { name: 'Preview impact on open tickets' }).click()]);
    assert.match((await page.locator('#impact').textContent()) ?? '', /1 of 1 open tickets on policies using this calendar move: 0 earlier, 1 later/);
    assert.deepEqual((await listCalendars(h)).find((c) => c.id === calendarId), before, 'nothing saved by the preview');
    await Promise.all([page.waitForURL(/rollout=/), page.getByRole('button', { name: 'Confirm and save' }).click()]);
    assert.deepEqual((await listCalendars(h)).find((c) => c.id === calendarId)?.weekly.mon, [['09:00', '11:00']]);
    await page.locator('[data-rollout]').filter({ hasText: 'Rollout finished' }).waitFor({ timeout: 60_000 });
  });
});
