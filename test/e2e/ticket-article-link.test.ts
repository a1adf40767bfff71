/**
 * The knowledge base on the agent's ticket page, in a real browser (Debian's Chromium) on the
 * real stack and the real Typesense server: articles suggested for the conversation (only what
 * the requester may read), one click puts an article's link into the reply at the cursor and the
 * reply goes out with it, the no-script path fills the reply box the same way, and "new article
 * from this ticket" opens a draft with the question and the public answers (no internal note).
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { staffArticleResponse } from '../../src/http/api/routes/kb';
import { bodyOf, createOrg, createTicket, eventually, listComments } from '../api/api-helpers';
import { createUser, launchChromium, screenshot, signIn, type TestUser } from '../support/browser';
import { startAnswersStack, type AnswersStack } from '../kb/answers-stack';

describe('E2E: inserting an article into a reply from the ticket page', function () {
  this.timeout(120_000);
  let s: AnswersStack;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let agent: TestUser;
  let ticket: { id: string; number: string };
  const ids: Record<string, string> = {};

  before(async function () {
    this.timeout(180_000);
    [s, browser] = await Promise.all([startAnswersStack(), launchChromium()]);
    const orgA = await createOrg(s.h, 'enterprise');
    const orgB = await createOrg(s.h, 'enterprise');
    agent = await createUser(s.h, { email: 'ada@pacer.test', name: 'Ada Agent', role: 'agent' });
    ids.vpn = await s.article({ title: 'Connect to the VPN', body: 'Install the VPN client and sign in.' });
    ids.vpnA = await s.article({ title: 'VPN gateway for Org A', body: 'Org A uses the Frankfurt VPN gateway.', visibility: 'organizations', organizationIds: [orgA.id] });
    ids.vpnB = await s.article({ title: 'VPN gateway for Org B', body: 'Org B uses the Dublin VPN gateway.', visibility: 'organizations', organizationIds: [orgB.id] });
    ids.runbook = await s.article({ title: 'VPN outage runbook', body: 'Agents restart the VPN concentrator.', visibility: 'agents' });
    await s.settle();
    ticket = await createTicket(s.h, { subject: 'The VPN will not connect', description: 'Since this morning the VPN client times out.', priority: 'normal', organizationId: orgA.id });
    ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await ctx.newPage();
    await signIn(page, s.h.baseUrl, agent, /\/console$/);
  });
  after(async () => {
    await ctx?.close();
    await browser?.close();
    await s?.close();
  });

  const suggested = () => page.locator('#kb-ticket li[data-article]');

  it('suggests the articles the requester may read for the conversation', async () => {
    await page.goto(`${s.h.baseUrl}/console/tickets/${ticket.id}`);
    const shown = (await suggested().evaluateAll((els) => els.map((e) => e.getAttribute('data-article')))).sort();
    assert.deepEqual(shown, [ids.vpn, ids.vpnA].sort(), 'not Org B’s, not agents-only');
  });

  it('puts an article’s link into the reply at the cursor with one click, and the reply carries it', async () => {
    const box = page.locator('#reply-body');
    await box.fill('Hello, this should help:');
    await page.getByRole('link', { name: 'Insert a link to “Connect to the VPN” into the reply' }).click();
    const expected = `Hello, this should help:\nConnect to the VPN: ${s.h.baseUrl}/help/articles/${ids.vpn}`;
    assert.equal(await box.inputValue(), expected);
    assert.equal(page.url(), `${s.h.baseUrl}/console/tickets/${ticket.id}`, 'no navigation: the script inserted it');
    await box.press('End');
    await box.pressSequentially(' Thanks!');
    await screenshot(page, 'ticket-insert-article');
    await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Send public reply' }).click()]);
    const bodies = await eventually(async () => {
      // A form sends a textarea's line breaks as CRLF (the HTML form encoding).
      const c = (await listComments(s.h, ticket.id)).map((x) => x.body.replace(/\r\n/g, '\n'));
      return c.length ? c : null;
    }, 10_000, 'the reply');
    assert.deepEqual(bodies, [`${expected} Thanks!`]);
  });

  it('without the script, ?insert fills the reply box, only with an article the requester may read', async () => {
    await page.goto(`${s.h.baseUrl}/console/tickets/${ticket.id}?insert=${ids.vpnA}`);
    assert.equal(await page.locator('#reply-body').inputValue(), `VPN gateway for Org A: ${s.h.baseUrl}/help/articles/${ids.vpnA}`);
    await page.goto(`${s.h.baseUrl}/console/tickets/${ticket.id}?insert=${ids.vpnB}`);
    assert.equal(await page.locator('#reply-body').inputValue(), '');
  });

  it('makes a draft article from the ticket: the question and the public answer, never an internal note', async () => {
    assert.equal((await s.h.api(`/api/v1/tickets/${ticket.id}/comments`, { body: { body: 'Internal: customer is on the old client.', public: false } })).status, 201);
    await page.goto(`${s.h.baseUrl}/console/tickets/${ticket.id}`);
    await Promise.all([page.waitForURL(/\/console\/kb\/articles\/[0-9a-f-]+\?notice=/), page.getByRole('button', { name: 'New article from this ticket' }).click()]);
    const id = /\/console\/kb\/articles\/([0-9a-f-]+)/.exec(page.url())![1];
    const a = bodyOf(await s.h.api(`/api/v1/kb/articles/${id}`), staffArticleResponse);
    assert.equal(a.state, 'draft');
    assert.equal(a.title, 'The VPN will not connect');
    assert.match(a.body, /## Question\n\nSince this morning the VPN client times out\.\n\n## Answer\n\nHello, this should help:/);
    assert.ok(!a.body.includes('Internal:'), a.body);
  });
});
