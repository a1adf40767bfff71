/**
 * Categories and language at intake, on the whole Pacer (real PostgreSQL, the worker on the
 * Temporal dev server): a ticket created without a category gets one set automatically at or
 * above the threshold (marked automatic on its timeline) or only suggested below it; the
 * keyword lists answer until agents have categorised enough tickets, then the trained model
 * does; an agent's correction is a training example, says on the timeline which automatic
 * choice it replaced, and the next training counts it.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { timeline } from '../support/timeline';
import { bodyOf, createOrg, createTicket, eventually, type Organization } from './api-helpers';
import { ticketResponse } from '../../src/http/api/openapi/responses';
import { classifierStatusResponse } from '../../src/http/api/routes/classifier';
import { signedIn } from '../kb/console-session';

describe('classification at intake: category and language', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let org: Organization;
  /** The cold start's automatic (keywords) ticket. */
  let firstAutomatic = '';

  before(async () => {
    h = await startHarness({ classify: { autoThreshold: 0.75, minExamplesPerCategory: 3, trainingWindow: 1_000, refreshSeconds: 0 } });
    org = await createOrg(h, 'enterprise');
  });
  after(async () => h?.close());

  const read = async (id: string) => bodyOf(await h.api(`/api/v1/tickets/${id}`), ticketResponse);
  const status = async () => bodyOf(await h.api('/api/v1/classifier'), classifierStatusResponse);
  const categorized = async (id: string) => (await timeline(h, 'tickets', id)).filter((e) => e.type === 'ticket.categorized');
  /** The workflow's first activity writes the created event and intake's automatic choice beside it, just after the API answered. */
  const settled = async (id: string) => {
    await eventually(async () => (await timeline(h, 'tickets', id)).some((e) => e.type === 'ticket.created'), 20_000, 'the created event');
    return categorized(id);
  };

  it('on a cold start the keyword lists set a category above the threshold, marked automatic on the timeline', async () => {
    assert.equal((await status()).mode, 'keywords');
    const t = await createTicket(h, { organizationId: org.id, subject: 'Invoice wrong', description: 'We were charged twice this month, please refund the duplicate payment.' });
    assert.equal(t.category, 'billing');
    assert.equal(t.categorySource, 'keywords');
    assert.equal(t.categoryConfidence, 0.8);
    assert.equal(t.categorySuggestion, null);
    firstAutomatic = t.id;
    const [event, ...more] = await settled(t.id);
    assert.equal(more.length, 0);
    assert.equal(event!.id, `${t.id}:categorized`);
    assert.equal(event!.actor, 'system:keywords');
    assert.deepEqual(event!.data, { category: 'billing', confidence: 0.8, source: 'keywords', automatic: true, replaced: null });
  });

  it('the console shows the suggestion with an Accept button, and an automatic category marked on the page and the timeline', async () => {
    const agent = await signedIn(h, 'agent', 'kim@pacer.test');
    const suggested = await createTicket(h, { organizationId: org.id, subject: 'Need the receipt', description: 'Where is it?' });
    assert.deepEqual([suggested.category, suggested.categorySuggestion], [null, 'billing']);
    const page = await agent.get(`/console/tickets/${suggested.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /id="category-suggestion">Suggested category: <strong>billing<\/strong> <span class="muted">\(50% sure\)/);
    assert.match(page.text, /<button type="submit" name="category" value="billing" form="category-form">Accept<\/button>/);
    const accepted = await agent.post(`/console/tickets/${suggested.id}/category`, { category: 'billing' });
    assert.equal(accepted.status, 303);
    const after = await agent.get(accepted.location!);
    assert.match(after.text, /Category set to billing\./);
    assert.match(after.text, /id="ticket-category">billing<\/strong>/);
    assert.doesNotMatch(after.text, /category-suggestion/);
    assert.equal((await read(suggested.id)).categorySource, 'agent');

    const autoPage = await agent.get(`/console/tickets/${firstAutomatic}`);
    assert.match(autoPage.text, /id="category-automatic"[^>]*>automatic · keywords 80%<\/span>/);
    assert.match(autoPage.text, /<li class="internal automatic">.*<code>ticket\.categorized<\/code> → billing \(automatic, keywords 80%\)/);
  });

  it('below the threshold it only suggests, and accepting the suggestion makes it the agent’s', async () => {
    const t = await createTicket(h, { organizationId: org.id, subject: 'Send the invoice', description: 'Could you send it to our accountant?' });
    assert.equal(t.category, null);
    assert.equal(t.categorySource, null);
    assert.equal(t.categorySuggestion, 'billing');
    assert.equal(t.categoryConfidence, 0.5);
    assert.deepEqual(await settled(t.id), [], 'a suggestion is no automatic choice');
    assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { category: 'billing' } })).status, 200);
    const after = await read(t.id);
    assert.deepEqual([after.category, after.categorySource, after.categorySuggestion, after.categoryConfidence], ['billing', 'agent', null, null]);
    const [event] = await categorized(t.id);
    assert.deepEqual(event!.data, { category: 'billing', confidence: null, source: 'agent', automatic: false, replaced: null });
  });

  it('detects the language into the ticket, null when unsure', async () => {
    const fr = await createTicket(h, { organizationId: org.id, subject: 'Impossible de me connecter', description: 'Bonjour, je ne peux plus me connecter à mon compte depuis hier soir.' });
    assert.equal(fr.language, 'fr');
    const de = await createTicket(h, { organizationId: org.id, subject: 'Anmeldung geht nicht', description: 'Hallo, ich kann mich seit gestern nicht mehr anmelden.' });
    assert.equal(de.language, 'de');
    const short = await createTicket(h, { organizationId: org.id, subject: 'CSV export', description: '' });
    assert.equal(short.language, null);
    const row = await h.database.db.selectFrom('tickets').select('language').where('id', '=', fr.id).executeTakeFirstOrThrow();
    assert.equal(row.language, 'fr', 'routing reads it from the row');
  });

  it('trains on agent-categorised tickets, then the model categorises; a correction replaces the automatic choice and is learned', async () => {
    const examples: Record<string, string[]> = {
      account: ['Locked out after the password reset', 'Cannot sign in, password reset link expired', 'Two-factor code refused at sign in', 'Password reset email never arrives'],
      data: ['CSV export is missing rows', 'Export file has half the records', 'Our export stops at 500 rows', 'Exported CSV lost columns'],
    };
    for (const [category, subjects] of Object.entries(examples)) {
      for (const subject of subjects) {
        const res = await h.api('/api/v1/tickets', { body: { organizationId: org.id, subject, description: '', category, requester: { email: 'ann@example.com' } } });
        assert.equal(bodyOf(res, ticketResponse, 201).categorySource, 'agent');
      }
    }
    const trained = await h.tickets.classifier.retrain();
    assert.equal(trained.mode, 'classifier');
    // The accepted suggestions above are examples too (billing: 2, under the minimum of 3, so left out).
    assert.deepEqual(trained.examplesPerCategory, { account: 4, data: 4 });
    assert.deepEqual((await status()).examplesPerCategory, { account: 4, data: 4 });

    const t = await createTicket(h, { organizationId: org.id, subject: 'The CSV export is missing rows again', description: '' });
    assert.ok(t.categoryConfidence !== null && t.categoryConfidence >= 0.75, `confidence ${t.categoryConfidence}`);
    assert.deepEqual([t.category, t.categorySource], ['data', 'classifier']);
    const [auto] = await settled(t.id);
    assert.equal(auto!.data.automatic, true);
    assert.equal(auto!.data.source, 'classifier');

    // The agent says it is an account problem after all.
    assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { category: 'account' } })).status, 200);
    const corrected = await read(t.id);
    assert.deepEqual([corrected.category, corrected.categorySource, corrected.categoryConfidence], ['account', 'agent', null]);
    const events = await categorized(t.id);
    assert.equal(events.length, 2);
    const correction = events.find((e) => e.data.automatic === false)!;
    assert.equal(correction.actor.startsWith('agent:'), true);
    assert.deepEqual(correction.data.replaced, { category: 'data', source: 'classifier', confidence: t.categoryConfidence });
    const retrained = await h.tickets.classifier.retrain();
    assert.deepEqual(retrained.examplesPerCategory, { account: 5, data: 4 });
  });

});
