/**
 * The satisfaction survey in a real browser (Debian's Chromium, headless) on the real stack:
 * the customer opens the survey link without signing in, a low rating without a reason comes
 * back on the form, the rating is saved, the signed-in portal offers to change it, and the
 * agent's ticket page shows it in its panel and on the timeline.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_CSAT_SETTINGS } from '../../src/core/csat-settings';
import { SurveyLinks } from '../../src/domain/csat/survey-links';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createOrg, createTicket, eventually } from '../api/api-helpers';
import { createUser, launchChromium, screenshot, signIn, type TestUser } from '../support/browser';

const SECRET = 'csat-e2e-secret-0123456789abcdef';

describe('E2E: the satisfaction survey, the portal prompt and the console panel', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customer: TestUser;
  let agent: TestUser;
  let ticket: { id: string; number: string };
  let link: string;

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness({ integrations: { publicUrl: 'http://placeholder.test', csat: { ...DEFAULT_CSAT_SETTINGS, delayMinutes: 0, secret: SECRET } } }), launchChromium()]);
    const org = await createOrg(h, 'enterprise', 'Acme Rockets');
    customer = await createUser(h, { email: 'carla@acme.test', name: 'Carla Customer', role: 'customer', organizationId: org.id });
    agent = await createUser(h, { email: 'ada@pacer.test', name: 'Ada Agent', role: 'agent' });
    ticket = await createTicket(h, { subject: 'Invoices missing', organizationId: org.id, assignee: 'ada@pacer.test', requester: { email: customer.email, name: customer.name } });
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { status: 'solved' } })).status, 200);
    const row = await eventually(() => h.database.db.selectFrom('csat_surveys').selectAll().where('ticket_id', '=', ticket.id).executeTakeFirst(), 20_000, 'the survey');
    link = await new SurveyLinks(h.database.db, SECRET, h.baseUrl).url(ticket.id, row.expires_at);
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await h?.close();
  });

  it('rates from the link without signing in: a 1 without a reason comes back on the form, then the rating is saved', async () => {
    await page.goto(link);
    await page.getByLabel('1 — Very unhappy').check();
    await page.getByRole('button', { name: 'Send my rating' }).click();
    assert.match((await page.locator('#reason-error').textContent()) ?? '', /needs a reason/);
    assert.equal(await h.database.db.selectFrom('csat_surveys').select('rating').where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow().then((r) => r.rating), null);
    await page.getByLabel('1 — Very unhappy').check();
    await page.getByLabel(/what went wrong/).selectOption('Too slow');
    await page.getByLabel(/Anything else/).fill('Took three days');
    await page.getByRole('button', { name: 'Send my rating' }).click();
    assert.match((await page.locator('#current-rating').textContent()) ?? '', /1 — Very unhappy \(Too slow\)/);
    await screenshot(page, 'csat-survey');
    await page.goto(link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    assert.match(await page.locator('h1').textContent() ?? '', /Refused/);
  });

  it("offers the customer's portal a change of rating, and shows the agent the rating on the ticket page", async () => {
    await signIn(page, h.baseUrl, customer, /\/portal/);
    await page.goto(`${h.baseUrl}/portal/tickets/${ticket.id}`);
    assert.match((await page.locator(`[data-csat="${ticket.number}"]`).textContent()) ?? '', /You rated it 1\/5/);
    const agentContext = await browser.newContext();
    const agentPage = await agentContext.newPage();
    await signIn(agentPage, h.baseUrl, agent, /\/console/);
    await agentPage.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    assert.equal(await agentPage.locator('#csat-rating').textContent(), '1/5');
    assert.match((await agentPage.locator('#csat').textContent()) ?? '', /Too slow[\s\S]*Took three days[\s\S]*ada@pacer\.test/);
    assert.match((await agentPage.locator('.timeline').textContent()) ?? '', /csat\.rated/);
    await agentContext.close();
  });
});
