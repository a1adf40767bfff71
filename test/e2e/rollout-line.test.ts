/**
 * The admin page's rollout line follows a rollout by itself: opened while the rollout is
 * under way (its worker stopped), it turns to "finished" with the counts once the worker
 * runs again, without a reload. The policy form previews an edit's impact on open tickets
 * before the admin confirms it.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createUser, launchChromium, signIn } from '../support/browser';
import { bodyOf, createOrg, createTicket, eventually, listPolicies } from '../api/api-helpers';
import { slaPolicySavedResponse } from '../../src/http/api/openapi/rollout-responses';
import { slaPolicyResponse } from '../../src/http/api/openapi/responses';

describe('E2E: the admin rollout line', function () {
  this.timeout(180_000);
  let h: PacerHarness;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    const admin = await createUser(h, { email: 'rollout-admin@pacer.test', name: 'Roll Admin', role: 'admin' });
    ctx = await browser.newContext();
    page = await ctx.newPage();
    await signIn(page, h.baseUrl, admin, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await h?.close();
  });

  it('shows the rollout under way, then finished with its counts, without a reload', async () => {
    const org = await createOrg(h, 'enterprise');
    const ticket = await createTicket(h, { organizationId: org.id, priority: 'urgent' });
    await eventually(async () => (await h.lifecycle.slaInputs(ticket.id)) !== null, 30_000, 'ticket workflow');
    const policy = (await listPolicies(h)).find((p) => p.tier === 'enterprise' && p.priority === 'urgent');
    assert.ok(policy, 'a seeded enterprise urgent policy');
    const { id, createdAt, updatedAt, ...body } = policy;
    // With the worker stopped the rollout cannot start moving: the page opens on a running rollout.
    await h.stopWorker();
    const saved = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...body, resolutionMinutes: 20 * 60 } });
    const savedBody = bodyOf(saved, slaPolicySavedResponse);
    await page.goto(`${h.baseUrl}/console/admin/policies?rollout=${savedBody.rolloutId}`);
    const line = page.locator(`[data-rollout="${savedBody.rolloutId}"]`);
    await line.filter({ hasText: 'under way' }).waitFor({ timeout: 10_000 });
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    await h.startWorker();
    await line.filter({ hasText: 'Rollout finished' }).waitFor({ timeout: 60_000 });
    assert.match(await line.textContent() ?? '', /1 of 1 open tickets re-targeted, 0 already current, 0 failed/);
    assert.deepEqual(navigations, [], 'the line refreshed in place');
  });

  it('previews the impact of a policy edit, changing nothing, and saves it only on confirmation', async () => {
    const org = await createOrg(h, 'professional');
    const ticket = await createTicket(h, { organizationId: org.id, priority: 'urgent' });
    await eventually(async () => (await h.lifecycle.slaInputs(ticket.id)) !== null, 30_000, 'ticket workflow');
    const policy = (await listPolicies(h)).find((p) => p.tier === 'professional' && p.priority === 'urgent');
    assert.ok(policy, 'a seeded professional urgent policy');
    const resolutionMinutes = policy.resolutionMinutes;
    assert.ok(resolutionMinutes !== null, 'the seeded policy runs a resolution clock');
    await page.goto(`${h.baseUrl}/console/admin/policies/${policy.id}/edit`);
    await page.locator('#pol-resolution').fill(String(resolutionMinutes + 60));
    await Promise.all([page.waitForURL(/\/impact$/), page.getByRole('button', { name: 'Preview impact on open tickets' }).click()]);
    assert.match((await page.locator('#impact').textContent()) ?? '', /1 of 1 open tickets on this policy move: 0 earlier, 1 later/);
    assert.equal(bodyOf(await h.api(`/api/v1/sla-policies/${policy.id}`), slaPolicyResponse).resolutionMinutes, policy.resolutionMinutes, 'nothing saved by the preview');
    await Promise.all([page.waitForURL(/rollout=/), page.getByRole('button', { name: 'Confirm and save' }).click()]);
    assert.equal(bodyOf(await h.api(`/api/v1/sla-policies/${policy.id}`), slaPolicyResponse).resolutionMinutes, resolutionMinutes + 60);
    await page.locator('[data-rollout]').filter({ hasText: 'Rollout finished' }).waitFor({ timeout: 60_000 });
  });
});
