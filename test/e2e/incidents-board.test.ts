/**
 * The incidents board in Chromium on the real stack: declare an incident, link a ticket to
 * it from the ticket page, post an update that moves its status, acknowledge it — each an
 * update to the incident's workflow, checked in the browser and in the records.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createOrg, createTicket } from '../api/api-helpers';
import { createUser, launchChromium, screenshot, signIn, type TestUser } from '../support/browser';

describe('E2E: incidents board', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let agent: TestUser;
  let ticket: { id: string; number: string };
  let incident: { id: string; number: string };

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    const org = await createOrg(h, 'enterprise', 'Hooli');
    agent = await createUser(h, { email: 'gil@pacer.test', name: 'Gil Agent', role: 'agent', timeZone: 'America/Los_Angeles' });
    ticket = await createTicket(h, { subject: 'Checkout returns 502', priority: 'urgent', organizationId: org.id });
    ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, h.baseUrl, agent, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await h?.close();
  });

  it('declares an incident from the board: it shows, unacknowledged, with its severity', async () => {
    await page.goto(`${h.baseUrl}/console/incidents`);
    await page.getByLabel('Title').fill('Payments API returning 502s');
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByLabel('What is happening?').fill('Checkout fails for every customer.');
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Declare' }).click()]);
    const row = await h.database.db.selectFrom('incidents').selectAll().where('title', '=', 'Payments API returning 502s').executeTakeFirstOrThrow();
    incident = { id: row.id, number: row.number };
    assert.equal(row.severity, 'critical');
    const card = page.locator(`#incident-${incident.id}`);
    assert.match((await card.locator('.sev').textContent()) ?? '', /critical/);
    assert.equal(await card.locator('.ack-state').textContent(), 'unacknowledged');
  });

  it('links a ticket from the ticket page; the board lists it', async () => {
    await page.goto(`${h.baseUrl}/console/tickets/${ticket.id}`);
    await page.getByLabel('Incident').selectOption(incident.id);
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Link to incident' }).click()]);
    assert.match((await page.locator('#linked-incidents').textContent()) ?? '', new RegExp(incident.number));
    const link = await h.database.db.selectFrom('incident_tickets').selectAll().where('incident_id', '=', incident.id).executeTakeFirst();
    assert.equal(link?.ticket_id, ticket.id);
    await page.goto(`${h.baseUrl}/console/incidents`);
    assert.match((await page.locator(`#incident-${incident.id} .linked-tickets`).textContent()) ?? '', new RegExp(ticket.number));
  });

  it('posts an update that moves the status, then acknowledges', async () => {
    const card = page.locator(`#incident-${incident.id}`);
    await card.getByLabel(`Update for ${incident.number}`).fill('Rolled back the deploy; watching error rates.');
    await card.getByLabel('New status').selectOption('identified');
    await Promise.all([page.waitForURL(/notice=/), card.getByRole('button', { name: 'Post update' }).click()]);
    assert.equal(await page.locator(`#incident-${incident.id} .incident-status`).textContent(), 'identified');
    const updates = await h.database.db.selectFrom('incident_updates').selectAll().where('incident_id', '=', incident.id).execute();
    assert.ok(updates.some((u) => u.body === 'Rolled back the deploy; watching error rates.' && u.public), JSON.stringify(updates));
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: `Acknowledge ${incident.number}` }).click()]);
    assert.equal(await page.locator(`#incident-${incident.id} .ack-state`).textContent(), 'acknowledged');
    const row = await h.database.db.selectFrom('incidents').select(['acknowledged_at', 'acknowledged_by', 'status']).where('id', '=', incident.id).executeTakeFirstOrThrow();
    assert.ok(row.acknowledged_at);
    assert.match(row.acknowledged_by ?? '', /Gil Agent/);
    await screenshot(page, 'incidents');
  });
});
