/**
 * Suggested articles where a ticket is filed: `POST /api/v1/tickets?suggest=N` answers up to N
 * articles for the ticket's text, only those the requester's organization may read, on the real
 * Typesense server and on the PostgreSQL fallback (the same suite both ways); a bad `suggest` is a 400 that files nothing; and with
 * PACER_ACK_EMAIL_SUGGESTIONS the acknowledgement email (through nodemailer to the loopback SMTP
 * capture, as the other email tests) lists them with absolute links.
 */
import assert from 'node:assert/strict';
import { ticketResponse, ticketWithSuggestionsResponse } from '../../src/http/api/openapi/responses';
import { loadIntegrationConfig } from '../../src/integrations/config';
import { assertError, bodyOf, createKey, createOrg } from '../api/api-helpers';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { startAnswersStack, type AnswersStack } from './answers-stack';

for (const engine of ['typesense', 'postgres'] as const)
describe(`knowledge base: suggestions for a new ticket (API and acknowledgement email) on ${engine}`, function () {
  this.timeout(60_000);
  let s: AnswersStack;
  let smtp: SmtpCapture;
  let orgA: { id: string };
  let orgB: { id: string };
  let customerA: string;
  const ids: Record<string, string> = {};

  before(async function () {
    this.timeout(120_000);
    smtp = await startSmtpCapture();
    // The setting as an operator gives it: from the environment.
    const integrations = loadIntegrationConfig({ PACER_SMTP_URL: smtp.url, PACER_MAIL_FROM: 'Pacer Support <support@pacer.test>', PACER_PUBLIC_URL: 'https://help.pacer.test', PACER_ACK_EMAIL_SUGGESTIONS: '3' });
    s = await startAnswersStack({ integrations, engine });
    orgA = await createOrg(s.h, 'enterprise');
    orgB = await createOrg(s.h, 'enterprise');
    customerA = (await createKey(s.h, 'customer', orgA.id)).key;
    ids.public = await s.article({ title: 'Reset your password', body: 'Open Settings, then Security, and choose **Reset password**.', keywords: ['login'] });
    ids.orgA = await s.article({ title: 'Password rules for Org A', body: 'Org A requires a password of 16 characters.', visibility: 'organizations', organizationIds: [orgA.id] });
    ids.orgB = await s.article({ title: 'Password vault for Org B', body: 'Org B keeps each password in the vault.', visibility: 'organizations', organizationIds: [orgB.id] });
    ids.agents = await s.article({ title: 'Password reset runbook', body: 'Agents: check the password audit log first.', visibility: 'agents' });
    ids.draft = await s.article({ title: 'Password draft', body: 'Not ready: password.', state: 'draft' });
    await s.article({ title: 'Export invoices', body: 'Invoices export as CSV.' });
    await s.settle();
  });
  after(async () => {
    await s?.close();
    await smtp?.close();
  });

  const file = (query: string, organizationId: string, key?: string) =>
    s.h.api(`/api/v1/tickets${query}`, { key, body: { subject: 'I cannot reset my password', description: 'The password form says no.', priority: 'normal', ...(key ? {} : { organizationId }), requester: { email: 'ann@example.com', name: 'Ann' } } });

  it('answers what the requester may read: public and their organization, never agents-only, drafts or another organization', async () => {
    const t = bodyOf(await file('?suggest=5', orgA.id, customerA), ticketWithSuggestionsResponse, 201);
    const got = (t.suggestedArticles ?? []).map((a) => a.id).sort();
    assert.deepEqual(got, [ids.public, ids.orgA].sort());
    assert.ok(t.suggestedArticles!.every((a) => a.url === `/help/articles/${a.id}`));
    // Staff filing for Org B get Org B's view: what that requester may read.
    const b = bodyOf(await file('?suggest=5', orgB.id), ticketWithSuggestionsResponse, 201);
    assert.deepEqual((b.suggestedArticles ?? []).map((a) => a.id).sort(), [ids.public, ids.orgB].sort());
  });

  it('answers at most N, and no suggestedArticles field without ?suggest', async () => {
    const one = bodyOf(await file('?suggest=1', orgA.id, customerA), ticketWithSuggestionsResponse, 201);
    assert.equal(one.suggestedArticles?.length, 1);
    const plain = await file('', orgA.id, customerA);
    bodyOf(plain, ticketResponse, 201);
    assert.equal(typeof plain.body === 'object' && plain.body !== null && 'suggestedArticles' in plain.body, false);
  });

  it('refuses a bad suggest with the field named and files nothing', async () => {
    const count = async () => Number((await s.h.database.db.selectFrom('tickets').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    for (const bad of ['11', '-1', 'two', '1.5']) {
      const err = assertError(await file(`?suggest=${bad}`, orgA.id, customerA), 400, 'validation_failed');
      assert.ok(err.details?.some((d) => d.path === 'suggest'), JSON.stringify(err));
    }
    assertError(await file('?suggestions=2', orgA.id, customerA), 400, 'validation_failed');
    assert.equal(await count(), before);
  });

  it('lists the suggestions in the acknowledgement email with absolute links, for the requester only', async () => {
    const t = bodyOf(await file('', orgA.id, customerA), ticketResponse, 201);
    const [ack] = (await smtp.waitFor((ms) => ms.some((m) => m.subject === `[${t.number}] ${t.subject}`), 15_000, 'the acknowledgement')).filter((m) => m.subject === `[${t.number}] ${t.subject}`);
    assert.match(ack!.text, /These articles may already answer it:/);
    assert.ok(ack!.text.includes(`https://help.pacer.test/help/articles/${ids.public}`), ack!.text);
    assert.ok(ack!.text.includes(`https://help.pacer.test/help/articles/${ids.orgA}`), ack!.text);
    for (const hidden of [ids.orgB, ids.agents, ids.draft]) assert.ok(!ack!.text.includes(hidden!), `not ${hidden}`);
    assert.match(ack!.text, /Reset your password/);
    // Off unless asked for.
    assert.equal(loadIntegrationConfig({ PACER_SMTP_URL: smtp.url, PACER_MAIL_FROM: 'support@pacer.test' }).email?.ackSuggestions, 0);
  });
});
