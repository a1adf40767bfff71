/**
 * The console's routing pages in Chromium: an admin adds a routing group and a member, a rule
 * (a bad skill level is named next to its field and nothing is saved), moves rules, saves an
 * agent's profile (a capacity below 0 is refused the same way); an agent sets themselves away
 * on the Agents page (routing hears of it), sees loads and a group's unassigned queue, is kept
 * out of the admin pages, and reads on a ticket page why it was routed. Every control has a label.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createOrg, createTicket } from '../api/api-helpers';
import { createUser, launchChromium, signIn, type TestUser } from '../support/browser';
import type { AgentSettingsChange, AgentStatusChange } from '../../src/domain/routing/agent-status';

async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter((el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.labels && el.labels.length) return false;
    return true;
  }).map((el) => el.outerHTML.slice(0, 120))`) as Promise<string[]>;
}

describe('E2E: routing pages', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let adminCtx: BrowserContext;
  let agentCtx: BrowserContext;
  let admin: Page;
  let agentPage: Page;
  let ria: TestUser;
  let al: TestUser;
  const heard: Array<AgentStatusChange | AgentSettingsChange> = [];
  let groupId = '';

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([
      startHarness({ agentStatusListener: { agentStatusChanged: (c) => { heard.push(c); return Promise.resolve(); }, agentSettingsChanged: (c) => { heard.push(c); return Promise.resolve(); } } }),
      launchChromium(),
    ]);
    ria = await createUser(h, { email: 'ria@pacer.test', name: 'Ria Admin', role: 'admin' });
    al = await createUser(h, { email: 'al@pacer.test', name: 'Al Agent', role: 'agent' });
    adminCtx = await browser.newContext();
    agentCtx = await browser.newContext();
    admin = await adminCtx.newPage();
    agentPage = await agentCtx.newPage();
    await signIn(admin, h.baseUrl, ria, /\/console$/);
    await signIn(agentPage, h.baseUrl, al, /\/console$/);
  });
  after(async () => {
    await adminCtx?.close();
    await agentCtx?.close();
    await browser?.close();
    await h?.close();
  });

  it('adds a routing group, refusing a bad answer time next to its field, then a member', async () => {
    await admin.goto(`${h.baseUrl}/console/admin/routing/groups/new`);
    assert.deepEqual(await unlabelled(admin), []);
    await admin.getByLabel('Name').fill('Billing');
    await admin.getByLabel('Strategy').selectOption('least_loaded');
    await admin.getByLabel(/Minutes an agent needs/).fill('-5');
    await admin.getByRole('button', { name: 'Add group' }).click();
    assert.match((await admin.locator('#g-answer-error').textContent()) ?? '', />=\s*0|too small|0/);
    assert.equal(await admin.getByLabel('Name').inputValue(), 'Billing', 'the form keeps what was typed');
    assert.equal((await h.database.db.selectFrom('routing_groups').select('id').execute()).length, 0);
    await admin.getByLabel(/Minutes an agent needs/).fill('20');
    await admin.getByLabel(/away for longer than/).fill('15');
    await Promise.all([admin.waitForURL(/\/edit\?notice=/), admin.getByRole('button', { name: 'Add group' }).click()]);
    const g = await h.database.db.selectFrom('routing_groups').selectAll().executeTakeFirstOrThrow();
    groupId = g.id;
    assert.deepEqual([g.strategy, g.answer_minutes, g.away_release_minutes], ['least_loaded', 20, 15]);
    assert.deepEqual(await unlabelled(admin), []);
    await admin.getByLabel('Add an agent').selectOption({ label: 'Al Agent (al@pacer.test)' });
    await Promise.all([admin.waitForURL(/notice=/), admin.getByRole('button', { name: 'Add', exact: true }).click()]);
    assert.match((await admin.locator('#members').textContent()) ?? '', /Al Agent/);
    assert.ok(heard.some((c) => c.userId === al.id && 'cause' in c && c.cause === 'membership'));
  });

  it('adds rules (a bad skill level is named and nothing saved) and moves one up', async () => {
    await admin.goto(`${h.baseUrl}/console/admin/routing/rules/new`);
    assert.deepEqual(await unlabelled(admin), []);
    await admin.getByLabel('Name').fill('Refunds');
    await admin.getByLabel(/Send matching tickets/).selectOption(groupId);
    await admin.getByLabel(/Required skills/).fill('billing:9');
    await admin.getByLabel(/Words or phrases/).fill('refund, chargeback');
    await admin.locator('#r-priority-urgent').check();
    await admin.getByRole('button', { name: 'Add rule' }).click();
    assert.match((await admin.locator('#r-requiredSkills-error').textContent()) ?? '', /item 1 minLevel/);
    assert.equal((await h.database.db.selectFrom('routing_rules').select('id').execute()).length, 0);
    await admin.getByLabel(/Required skills/).fill('billing:3');
    await Promise.all([admin.waitForURL(/\/rules\?notice=/), admin.getByRole('button', { name: 'Add rule' }).click()]);
    await admin.goto(`${h.baseUrl}/console/admin/routing/rules/new`);
    await admin.getByLabel('Name').fill('Everything else');
    await admin.getByLabel(/Send matching tickets/).selectOption(groupId);
    await Promise.all([admin.waitForURL(/\/rules\?notice=/), admin.getByRole('button', { name: 'Add rule' }).click()]);
    const names = async () => (await admin.locator('#rules tbody tr td:nth-child(2)').allTextContents()).map((t) => t.trim());
    assert.deepEqual(await names(), ['Refunds', 'Everything else']);
    assert.match((await admin.locator('#rules tbody tr').first().textContent()) ?? '', /priority urgent and subject has “refund” or “chargeback”/);
    await Promise.all([admin.waitForURL(/notice=/), admin.getByRole('button', { name: 'Up Everything else' }).click()]);
    assert.deepEqual(await names(), ['Everything else', 'Refunds']);
  });

  it("saves an agent's profile; a capacity below 0 is refused next to its field", async () => {
    await admin.goto(`${h.baseUrl}/console/admin/routing/agents/${al.id}`);
    assert.deepEqual(await unlabelled(admin), []);
    await admin.getByLabel(/Capacity: open tickets/).fill('-1');
    await admin.getByLabel(/Skills with levels/).fill('billing:4, sso:2');
    await admin.getByRole('button', { name: 'Save profile' }).click();
    assert.match((await admin.locator('#p-capacity-error').textContent()) ?? '', /below 0/);
    assert.equal(await h.database.db.selectFrom('agent_profiles').select('user_id').where('user_id', '=', al.id).executeTakeFirst(), undefined);
    await admin.getByLabel(/Capacity: open tickets/).fill('3');
    await admin.getByLabel('urgent').fill('1');
    await admin.getByLabel(/Languages/).fill('en, DE');
    await Promise.all([admin.waitForURL(/notice=/), admin.getByRole('button', { name: 'Save profile' }).click()]);
    const p = await h.database.db.selectFrom('agent_profiles').selectAll().where('user_id', '=', al.id).executeTakeFirstOrThrow();
    assert.deepEqual([p.capacity, p.capacity_by_priority, p.languages, p.skills], [3, { urgent: 1 }, ['en', 'de'], [{ name: 'billing', level: 4 }, { name: 'sso', level: 2 }]]);
  });

  it('an agent sets their own status on the Agents page, sees loads and the unassigned queue, and is kept out of admin', async () => {
    const org = await createOrg(h, 'enterprise');
    const mine = await createTicket(h, { subject: 'Mine', organizationId: org.id, requester: { email: 'c@x.test' }, assignee: al.email });
    const waiting = await createTicket(h, { subject: 'Refund please', organizationId: org.id, requester: { email: 'c@x.test' } });
    await h.database.db.updateTable('tickets').set({ routing_group_id: groupId }).where('id', '=', waiting.id).execute();
    await agentPage.goto(`${h.baseUrl}/console/agents`);
    assert.equal(await agentPage.locator('#my-status-now').textContent(), 'offline');
    heard.length = 0;
    await Promise.all([agentPage.waitForURL(/notice=/), agentPage.getByRole('button', { name: 'away' }).click()]);
    assert.equal(await agentPage.locator('#my-status-now').textContent(), 'away');
    assert.equal(await agentPage.locator('#status-switch button[aria-pressed="true"]').textContent(), 'away');
    assert.deepEqual(heard.map((c) => ('status' in c ? [c.userId, c.status, c.cause] : null)), [[al.id, 'away', 'set']]);
    assert.equal(await agentPage.locator('tr[data-agent="al@pacer.test"] [data-status]').getAttribute('data-status'), 'away');
    assert.equal(await agentPage.locator('tr[data-agent="al@pacer.test"] [data-load]').getAttribute('data-load'), '1');
    assert.match((await agentPage.locator('tr[data-agent="al@pacer.test"] [data-load]').textContent()) ?? '', /1 \/ 3/);
    assert.equal(await agentPage.locator(`tr[data-group="${groupId}"] [data-unassigned]`).getAttribute('data-unassigned'), '1');
    await agentPage.goto(`${h.baseUrl}/console/agents/groups/${groupId}`);
    assert.deepEqual(await agentPage.locator('#group-queue tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ticket'))), [waiting.number]);
    assert.ok(!(await agentPage.locator('#group-queue').textContent())?.includes(mine.number));
    // The admin section answers an agent as if it were not there, as the other admin pages do.
    const refused = await agentPage.goto(`${h.baseUrl}/console/admin/routing/rules`);
    assert.equal(refused?.status(), 404);
  });

  it("shows on the ticket page why it was routed where it was", async () => {
    const org = await createOrg(h, 'enterprise');
    const t = await createTicket(h, { subject: 'Routed', organizationId: org.id, requester: { email: 'c@x.test' } });
    await h.database.db
      .insertInto('routing_decisions')
      .values({ id: `routing:${t.id}:1`, ticket_id: t.id, group_id: groupId, kind: 'assigned', agent_user_id: al.id, strategy: 'least_loaded', reason: JSON.stringify({ summary: 'Al Agent had the fewest open tickets (1 of 3).', load: 1, capacity: 3, rule: 'Everything else', skills: [] }), at: new Date() })
      .execute();
    await agentPage.goto(`${h.baseUrl}/console/tickets/${t.id}`);
    const panel = (await agentPage.locator('#routing').textContent()) ?? '';
    assert.match(panel, /Why routed here/);
    assert.match(panel, /Assigned .* group Billing · Al Agent · least_loaded/s);
    assert.match(panel, /fewest open tickets \(1 of 3\)/);
    assert.match(panel, /rule “Everything else”; load 1 of 3/);
  });
});
