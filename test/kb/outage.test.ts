/** The search outbox through a Typesense outage, a reindex under searches, and /healthz naming the engine. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reindex } from '../../src/domain/search/reindex';
import { startTypesenseServer, type TypesenseServer } from '../../src/domain/search/typesense-server';
import { answerAs, staffArticle, startKbHarness, testTypesense, type KbHarness, type KbHealth, type KbSearchAnswer } from './kb-harness';

const quiet = { info() {}, warn() {}, error() {} };

describe('knowledge base: Typesense outage and reindex', function () {
  let server: TypesenseServer;
  let h: KbHarness;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'pacer-kb-outage-'));
    server = await startTypesenseServer({ dataDir, log: quiet });
    h = await startKbHarness('typesense', { url: server.url, apiKey: server.apiKey });
  });
  after(async () => {
    await h?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const search = async (q: string) => answerAs<KbSearchAnswer>(await h.api(`/api/v1/kb/search?q=${encodeURIComponent(q)}&perPage=50`, { key: null }));
  const publish = async (title: string, body: string) => staffArticle(await h.api('/api/v1/kb/articles', { body: { title, body, state: 'published' } }), 201).id;

  describe('loses nothing written while Typesense is down: the outbox waits, search falls back, /healthz says so', () => {
    let first: string;
    const during: string[] = [];

    it('searches Typesense while it runs', async () => {
      first = await publish('Configure webhooks', 'Signed deliveries.');
      await h.settle();
      assert.equal((await search('webhooks')).engine, 'typesense');
    });

    it('says on /healthz that search fell back to PostgreSQL once Typesense stops', async () => {
      await server.stop();
      const health = await h.api('/healthz', { key: null });
      assert.equal(health.status, 200);
      assert.equal(answerAs<KbHealth>(health).search, 'postgres');
      assert.equal(answerAs<KbHealth>(health).typesense, 'down');
    });

    it('takes edits and new articles meanwhile: the fallback finds them, their index writes wait in the outbox', async () => {
      await h.api(`/api/v1/kb/articles/${first}`, { method: 'PATCH', body: { title: 'Configure signed webhooks' } });
      await h.api(`/api/v1/kb/articles/${first}/publish`, { method: 'POST' });
      for (let i = 0; i < 5; i++) during.push(await publish(`Outage article ${i}`, `Written during the outage, number ${i}.`));
      const fallback = await search('outage');
      assert.equal(fallback.engine, 'postgres');
      assert.equal(fallback.found, 5);
      assert.ok((await h.drainer!.pending()) >= 7);
    });

    it('has every article written meanwhile in Typesense once it is back, and /healthz says so', async () => {
      server = await startTypesenseServer({ dataDir, apiKey: server.apiKey, port: server.port, log: quiet });
      await h.settle();
      // The fallback leaves Typesense alone for a few seconds after a failure; wait for it to answer again.
      const deadline = Date.now() + 15_000;
      let back = await search('outage');
      while (back.engine !== 'typesense' && Date.now() < deadline) {
        await sleep(250);
        back = await search('outage');
      }
      assert.equal(back.engine, 'typesense');
      assert.deepEqual(back.hits.map((x) => x.id).sort(), [...during].sort());
      assert.deepEqual((await search('signed')).hits.map((x) => x.id), [first]);
      assert.equal(answerAs<KbHealth>(await h.api('/healthz', { key: null })).search, 'typesense');
    });
  });

  describe('then a rebuild', () => {
    it('rebuilds into a new collection and swaps the alias with no failed search meanwhile', async () => {
      const before = await h.index!.currentCollection();
      let searching = true;
      const answers: Array<{ status: number; engine: string; found: number }> = [];
      const loop = (async () => {
        while (searching) {
          const res = await h.api('/api/v1/kb/search?q=outage', { key: null });
          // Read without asserting: a failed search is recorded and reported below, not thrown inside the loop.
          const answer = res.body as Partial<KbSearchAnswer> | null;
          answers.push({ status: res.status, engine: String(answer?.engine), found: Number(answer?.found) });
        }
      })();
      const result = await reindex(h.database.db, h.index!);
      await sleep(200);
      searching = false;
      await loop;
      assert.notEqual(result.collection, before);
      assert.equal(await h.index!.currentCollection(), result.collection);
      assert.equal(result.previous, before);
      assert.ok(answers.length > 0);
      assert.deepEqual(answers.filter((a) => a.status !== 200 || a.engine !== 'typesense' || a.found !== 5), []);
    });
  });
});

describe('knowledge base: /healthz without Typesense', function () {
  let h: KbHarness;
  before(async () => {
    testTypesense();
    h = await startKbHarness('postgres');
  });
  after(async () => h?.close());

  it('names PostgreSQL as the search engine when Typesense is not in use', async () => {
    const res = await h.api('/healthz', { key: null });
    assert.equal(answerAs<KbHealth>(res).search, 'postgres');
    assert.equal(answerAs<KbHealth>(res).typesense, 'off');
  });
});
