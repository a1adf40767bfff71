/**
 * Categories and language at intake, on the whole Pacer (real PostgreSQL, the worker on the
 * Temporal dev server): a ticket created without a category gets one set automatically at or
 * above the threshold (marked automatic on its timeline) or only suggested below it; the
 * keyword lists answer until agents have categorised enough tickets, then the trained model
 * does; an agent's correction is a training example, says on the timeline which automatic
 * choice it replaced, and the next training counts it. The console shows the suggestion with
 * an Accept button and marks automatic choices. The its run in order: the cold start first.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { timeline } from '../support/timeline';
import { bodyOf, createOrg, createTicket, eventually, type Organization } from './api-helpers';
import { ticketResponse } from '../../src/http/api/openapi/responses';
import { classifierStatusResponse } from '../../src/http/api/routes/classifier';
import type { ClassifierStatus } from '../../src/domain/classify/category-classifier';
import { signedIn, type Browsing } from '../kb/console-session';

type Ticket = Awaited<ReturnType<typeof createTicket>>;

describe('classification at intake: category and language', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let org: Organization;

  before(async () => {
    h = await startHarness({ classify: { autoThreshold: 0.75, minExamplesPerCategory: 3, trainingWindow: 1_000, refreshSeconds: 0 } });
    org = await createOrg(h, 'enterprise');
  });
  after(async () => h?.close());

  const open = (subject: string, description = '') => createTicket(h, { organizationId: org.id, subject, description });
  const read = async (id: string) => bodyOf(await h.api(`/api/v1/tickets/${id}`), ticketResponse);
  const status = async () => bodyOf(await h.api('/api/v1/classifier'), classifierStatusResponse);
  const categorized = async (id: string) => (await timeline(h, 'tickets', id)).filter((e) => e.type === 'ticket.categorized');
  /** The workflow's first activity writes the created event and intake's automatic choice beside it, just after the API answered. */
  const settled = async (id: string) => {
    await eventually(async () => (await timeline(h, 'tickets', id)).some((e) => e.type === 'ticket.created'), 20_000, 'the created event');
    return categorized(id);
  };
  const setCategory = async (id: string, category: string) => assert.equal((await h.api(`/api/v1/tickets/${id}`, { method: 'PATCH', body: { category } })).status, 200);

  describe('on a cold start, the keyword lists', () => {
    let automatic: Ticket;
    let suggested: Ticket;
    let agent: Browsing;

    before(async () => {
      automatic = await open('Invoice wrong', 'We were charged twice this month, please refund the duplicate payment.');
      suggested = await open('Need the receipt', 'Where is it?');
      agent = await signedIn(h, 'agent', 'kim@pacer.test');
    });

    it('answer while no category has enough examples', async () => {
      assert.equal((await status()).mode, 'keywords');
    });

    it('set a category at or above the threshold, marked automatic on the timeline', async () => {
      assert.deepEqual([automatic.category, automatic.categorySource, automatic.categoryConfidence, automatic.categorySuggestion], ['billing', 'keywords', 0.8, null]);
      const [event, ...more] = await settled(automatic.id);
      assert.equal(more.length, 0);
      assert.equal(event!.id, `${automatic.id}:categorized`);
      assert.equal(event!.actor, 'system:keywords');
      assert.deepEqual(event!.data, { category: 'billing', confidence: 0.8, source: 'keywords', automatic: true, replaced: null });
    });

    it('only suggest below it: no category, no automatic event', async () => {
      assert.deepEqual([suggested.category, suggested.categorySource, suggested.categorySuggestion, suggested.categoryConfidence], [null, null, 'billing', 0.5]);
      assert.deepEqual(await settled(suggested.id), [], 'a suggestion is no automatic choice');
    });

    it('the console marks the automatic category on the page and on the timeline', async () => {
      const page = await agent.get(`/console/tickets/${automatic.id}`);
      assert.match(page.text, /id="category-automatic"[^>]*>automatic · keywords 80%<\/span>/);
      assert.match(page.text, /<li class="internal automatic">.*<code>ticket\.categorized<\/code> → billing \(automatic, keywords 80%\)/);
    });

    it('the console shows the suggestion with an Accept button', async () => {
      const page = await agent.get(`/console/tickets/${suggested.id}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /id="category-suggestion">Suggested category: <strong>billing<\/strong> <span class="muted">\(50% sure\)/);
      assert.match(page.text, /<button type="submit" name="category" value="billing" form="category-form">Accept<\/button>/);
    });

    it('accepting the suggestion in the console makes the category the agent’s', async () => {
      const accepted = await agent.post(`/console/tickets/${suggested.id}/category`, { category: 'billing' });
      assert.equal(accepted.status, 303);
      const after = await agent.get(accepted.location!);
      assert.match(after.text, /Category set to billing\./);
      assert.match(after.text, /id="ticket-category">billing<\/strong>/);
      assert.doesNotMatch(after.text, /category-suggestion/);
      const t = await read(suggested.id);
      assert.deepEqual([t.category, t.categorySource, t.categorySuggestion, t.categoryConfidence], ['billing', 'agent', null, null]);
      const [event] = await categorized(suggested.id);
      assert.deepEqual(event!.data, { category: 'billing', confidence: null, source: 'agent', automatic: false, replaced: null });
    });
  });

  it('detects the language into the ticket row, null when unsure', async () => {
    const fr = await open('Impossible de me connecter', 'Bonjour, je ne peux plus me connecter à mon compte depuis hier soir.');
    assert.equal(fr.language, 'fr');
    assert.equal((await open('Anmeldung geht nicht', 'Hallo, ich kann mich seit gestern nicht mehr anmelden.')).language, 'de');
    assert.equal((await open('CSV export')).language, null);
    const row = await h.database.db.selectFrom('tickets').select('language').where('id', '=', fr.id).executeTakeFirstOrThrow();
    assert.equal(row.language, 'fr', 'routing reads it from the row');
  });

  describe('once agents have categorised tickets', () => {
    const EXAMPLES: Record<string, string[]> = {
      account: ['Locked out after the password reset', 'Cannot sign in, password reset link expired', 'Two-factor code refused at sign in', 'Password reset email never arrives'],
      data: ['CSV export is missing rows', 'Export file has half the records', 'Our export stops at 500 rows', 'Exported CSV lost columns'],
    };
    let trained: ClassifierStatus;
    let t: Ticket;

    before(async () => {
      for (const [category, subjects] of Object.entries(EXAMPLES)) {
        for (const subject of subjects) {
          const res = await h.api('/api/v1/tickets', { body: { organizationId: org.id, subject, description: '', category, requester: { email: 'ann@example.com' } } });
          assert.equal(bodyOf(res, ticketResponse, 201).categorySource, 'agent');
        }
      }
      trained = await h.tickets.classifier.retrain();
      t = await open('The CSV export is missing rows again');
    });

    it('trains on them: examples per category, categories under the minimum left out', async () => {
      assert.equal(trained.mode, 'classifier');
      // The accepted suggestion above is an example too (billing: 1, under the minimum of 3).
      assert.deepEqual(trained.examplesPerCategory, { account: 4, data: 4 });
      assert.deepEqual((await status()).examplesPerCategory, { account: 4, data: 4 });
    });

    it('the model sets the category above the threshold, marked automatic', async () => {
      assert.ok(t.categoryConfidence !== null && t.categoryConfidence >= 0.75, `confidence ${t.categoryConfidence}`);
      assert.deepEqual([t.category, t.categorySource], ['data', 'classifier']);
      const [auto] = await settled(t.id);
      assert.deepEqual([auto!.data.automatic, auto!.data.source], [true, 'classifier']);
    });

    it("an agent's correction says which automatic choice it replaced, and the next training counts it", async () => {
      await setCategory(t.id, 'account');
      const corrected = await read(t.id);
      assert.deepEqual([corrected.category, corrected.categorySource, corrected.categoryConfidence], ['account', 'agent', null]);
      const events = await categorized(t.id);
      assert.equal(events.length, 2);
      const correction = events.find((e) => e.data.automatic === false)!;
      assert.ok(correction.actor.startsWith('agent:'), correction.actor);
      assert.deepEqual(correction.data.replaced, { category: 'data', source: 'classifier', confidence: t.categoryConfidence });
      assert.deepEqual((await h.tickets.classifier.retrain()).examplesPerCategory, { account: 5, data: 4 });
    });
  });
});
