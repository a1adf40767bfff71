/**
 * Suggested articles in the portal, in a real browser (Debian's Chromium), on the real stack and
 * the real Typesense server: as a customer types a new ticket's subject and description, the
 * suggestions listbox fills (only what their organization may read); the keyboard moves through it
 * (arrow keys, Enter opens, Escape closes); opening one and not filing is a deflection in
 * kb_deflections and the KB report, and filing after all takes it back.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { kbReport } from '../../src/domain/kb/kb-report';
import { createOrg, eventually } from '../api/api-helpers';
import { createUser, launchChromium, screenshot, signIn, type TestUser } from '../support/browser';
import { startAnswersStack, type AnswersStack } from '../kb/answers-stack';

describe('E2E: portal suggestions while the customer types', function () {
  this.timeout(120_000);
  let s: AnswersStack;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let customer: TestUser;
  const ids: Record<string, string> = {};

  before(async function () {
    this.timeout(180_000);
    [s, browser] = await Promise.all([startAnswersStack(), launchChromium()]);
    const orgA = await createOrg(s.h, 'enterprise');
    const orgB = await createOrg(s.h, 'enterprise');
    customer = await createUser(s.h, { email: 'carla@acme.test', name: 'Carla', role: 'customer', organizationId: orgA.id });
    ids.vpn = await s.article({ title: 'Connect to the VPN', body: 'Install the VPN client and sign in with your work account.' });
    ids.vpnA = await s.article({ title: 'VPN gateway for Org A', body: 'Org A uses the Frankfurt VPN gateway.', visibility: 'organizations', organizationIds: [orgA.id] });
    ids.vpnB = await s.article({ title: 'VPN gateway for Org B', body: 'Org B uses the Dublin VPN gateway.', visibility: 'organizations', organizationIds: [orgB.id] });
    ids.vpnAgents = await s.article({ title: 'VPN outage runbook', body: 'Agents restart the VPN concentrator.', visibility: 'agents' });
    await s.article({ title: 'Export invoices', body: 'Invoices export as CSV.' });
    await s.settle();
    ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, s.h.baseUrl, customer, /\/portal$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await s?.close();
  });

  const options = () => page.locator('#kb-suggestions [role=option]');
  const deflections = () => s.h.database.db.selectFrom('kb_deflections').selectAll().orderBy('created_at').execute();

  it('fills the suggestions listbox as the customer types, with only what they may read', async () => {
    await page.goto(`${s.h.baseUrl}/portal/new`);
    assert.equal(await options().count(), 0);
    await page.getByLabel('Subject').pressSequentially('The vpn will not connect', { delay: 30 });
    await eventually(async () => (await options().count()) === 2, 10_000, 'two suggestions');
    const titles = (await options().locator('a').allTextContents()).sort();
    assert.deepEqual(titles, ['Connect to the VPN', 'VPN gateway for Org A']);
    assert.equal(await page.getByRole('combobox', { name: 'Subject' }).getAttribute('aria-expanded'), 'true');
    assert.match((await page.locator('#kb-suggest-status').textContent()) ?? '', /2 articles may answer this/);
    // The description counts too: a word only it has brings its article.
    await page.getByLabel('What happened?').pressSequentially('Also my invoices export is empty', { delay: 10 });
    await eventually(async () => (await options().locator('a').allTextContents()).includes('Export invoices'), 10_000, 'the description to count');
    await screenshot(page, 'portal-suggestions');
  });

  it('works with the keyboard: arrows move, Escape closes, Enter opens the article, which counts as a deflection', async () => {
    const subject = page.getByRole('combobox', { name: 'Subject' });
    await subject.focus();
    await page.keyboard.press('ArrowDown');
    const first = options().first();
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    assert.equal(await subject.getAttribute('aria-activedescendant'), await first.getAttribute('id'));
    await page.keyboard.press('ArrowDown');
    assert.equal(await options().nth(1).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#kb-suggestions').isHidden(), true);
    assert.equal(await subject.getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('ArrowDown');
    const articleId = await options().first().getAttribute('data-article');
    const [opened] = await Promise.all([ctx.waitForEvent('page'), page.keyboard.press('Enter')]);
    await opened.waitForURL(new RegExp(`/help/articles/${articleId}$`));
    assert.match(await opened.locator('h1').textContent() ?? '', /VPN/);
    await opened.close();
    assert.equal(page.url(), `${s.h.baseUrl}/portal/new`, 'the form stays, with what was typed');
    const rows = await deflections();
    assert.deepEqual(rows.map((r) => [r.article_id, r.ticket_id, r.reader_key]), [[articleId, null, `user:${customer.id}`]]);
    assert.equal((await kbReport(s.h.database.db, { days: 1, minVotes: 1, limit: 10 })).totals.deflections, 1);
  });

  it('filing the ticket after opening a suggestion takes the deflection back', async () => {
    await page.goto(`${s.h.baseUrl}/portal/new`);
    await page.getByLabel('Subject').pressSequentially('VPN gateway question', { delay: 20 });
    await eventually(async () => (await options().count()) > 0, 10_000, 'suggestions');
    // A click on the option's snippet, not its link, opens it too.
    const [opened] = await Promise.all([ctx.waitForEvent('page'), options().first().locator('p').click()]);
    await opened.waitForURL(/\/help\/articles\//);
    await opened.close();
    assert.equal((await deflections()).filter((r) => r.ticket_id === null).length, 2);
    await Promise.all([page.waitForURL(/\/portal\/tickets\//), page.getByRole('button', { name: 'Send' }).click()]);
    const ticketId = /\/portal\/tickets\/([0-9a-f-]+)/.exec(page.url())![1];
    const rows = await deflections();
    assert.equal(rows.filter((r) => r.ticket_id === ticketId).length, 1, 'the second form filed: its opened article is no deflection');
    assert.equal((await kbReport(s.h.database.db, { days: 1, minVotes: 1, limit: 10 })).totals.deflections, 1);
  });
});
