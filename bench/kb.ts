/**
 * npm run bench:kb — the knowledge base's search on a real Typesense 0.24.1 with BENCH_ARTICLES
 * published articles (default 1,000 for a smoke run; the issue's figure is BENCH_ARTICLES=10000):
 *  1. search: BENCH_SEARCHES queries (default 300; 1–2 words of the corpus, one in five with a
 *     typo), each sent through Pacer's API (GET /api/v1/kb/search, anonymous: the public filter,
 *     the engine call, category names, the search log) and the same query straight to Typesense
 *     through the client with the exact parameters Pacer sends (TypesenseIndex.paramsFor), in
 *     turn, one at a time, after BENCH_WARMUP of each. Reported: p50/p95/p99 of each and the
 *     p95 ratio Pacer / direct.
 *  2. publish-to-searchable lag: BENCH_PUBLISHES articles (default 30), each created published
 *     through the API with a unique word, then searched for through the API every 5 ms until a
 *     hit: request, transaction, outbox, the drainer's upsert, the first search that finds it.
 *     Target p95 ≤ 1 s.
 * Runs on the PostgreSQL test server (or DATABASE_URL) in a fresh database, and a Typesense
 * started here under a temporary data directory (or PACER_TYPESENSE_URL + PACER_TYPESENSE_API_KEY).
 * No Temporal is needed: the knowledge base never calls it.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createPacerApp } from '../src/app/http-app';
import { createLogger } from '../src/core/logger';
import { ArticleService } from '../src/domain/kb/article-service';
import { ANONYMOUS } from '../src/domain/kb/visibility';
import { KbSearch } from '../src/domain/search/kb-search';
import { OutboxDrainer } from '../src/domain/search/outbox-drainer';
import { reindex } from '../src/domain/search/reindex';
import { startTypesenseServer, type TypesenseServer } from '../src/domain/search/typesense-server';
import { TypesenseIndex } from '../src/domain/search/typesense-index';
import type { SearchDocument } from '../src/domain/search/search-types';
import { describeLatencies, percentile } from './support';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 1000);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 300);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 30);
const LAG_TARGET_MS = 1_000;

/** mulberry32: the same corpus and queries on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261202);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
const SYLLABLES = ['ka', 'lo', 'mi', 'ter', 'van', 'pro', 'sen', 'dor', 'lu', 'gra', 'fen', 'tis', 'mar', 'quo', 'bel', 'rin', 'sto', 'hul', 'nex', 'pai'];
const VOCABULARY = [...new Set(Array.from({ length: 900 }, () => Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(SYLLABLES)).join('')))].slice(0, 600);
const words = (n: number) => Array.from({ length: n }, () => pick(VOCABULARY)).join(' ');
const typo = (w: string) => (w.length > 4 ? w.slice(0, 1) + w[2] + w[1] + w.slice(3) : w);

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

async function createArticles(service: ArticleService, n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await service.create({ title: words(4), body: `${words(60)}\n\n${words(40)}`, keywords: [pick(VOCABULARY), pick(VOCABULARY)], visibility: 'public', organizationIds: [], state: 'published' }, 'bench');
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function main(): Promise<void> {
  const log = createLogger('warn');
  console.log(`machine: ${os.cpus().length} cores; load average (1/5/15 min) at start: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  process.env.PACER_TEST_DATABASE_URL = process.env.DATABASE_URL ?? execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ensure-test-postgres.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const { createTestDatabase } = await import('../test/support/database');
  const database = await createTestDatabase();
  const db = database.db;
  let server: TypesenseServer | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-bench-kb-'));
  let url = process.env.PACER_TYPESENSE_URL;
  let apiKey = process.env.PACER_TYPESENSE_API_KEY;
  if (!url || !apiKey) {
    server = await startTypesenseServer({ dataDir, log });
    ({ url, apiKey } = server);
  }
  console.log(`typesense: ${server ? `0.24.1 started here at ${url}` : `PACER_TYPESENSE_URL ${url}`}; database: a fresh one on ${new URL(process.env.PACER_TEST_DATABASE_URL).host}`);
  const index = new TypesenseIndex({ url, apiKey, alias: `bench_kb_${crypto.randomBytes(4).toString('hex')}`, timeoutSeconds: 10 });
  const drainer = new OutboxDrainer(db, index, log, { idleMs: 250 });
  const search = new KbSearch(db, log, index);
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const adminApiKey = `admin-${crypto.randomBytes(16).toString('hex')}`;
  const { app, articles } = createPacerApp({ db, temporal: new Client({ connection }), taskQueue: 'bench-kb', adminApiKey, log, kb: { search, onChange: () => drainer.wake() } });
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    const [createMs] = await timed(() => createArticles(articles, ARTICLES));
    const [indexMs, built] = await timed(() => reindex(db, index));
    // The rebuild carried every article; the rows their creation queued are done.
    await db.deleteFrom('kb_search_outbox').execute();
    console.log(`articles: ${ARTICLES} published (created in ${(createMs / 1000).toFixed(1)} s; collection of ${built.articles} built in ${(indexMs / 1000).toFixed(1)} s)`);
    drainer.start();

    const queries = Array.from({ length: WARMUP + SEARCHES }, () => {
      const q = random() < 0.5 ? pick(VOCABULARY) : words(2);
      return random() < 0.2 ? q.split(' ').map(typo).join(' ') : q;
    });
    const viaPacer = async (q: string) => {
      const res = await fetch(`${baseUrl}/api/v1/kb/search?q=${encodeURIComponent(q)}`);
      if (!res.ok) throw new Error(`search answered ${res.status}`);
      return ((await res.json()) as { found: number }).found;
    };
    const direct = async (q: string) => (await index.client.collections<SearchDocument>(index.alias).documents().search(index.paramsFor({ q, reader: ANONYMOUS, page: 1, perPage: 10 }), {})).found;
    const pacerMs: number[] = [];
    const directMs: number[] = [];
    let disagree = 0;
    for (const [i, q] of queries.entries()) {
      const [a, foundA] = await timed(() => viaPacer(q));
      const [b, foundB] = await timed(() => direct(q));
      if (i < WARMUP) continue;
      pacerMs.push(a);
      directMs.push(b);
      if (foundA !== foundB) disagree++;
    }
    console.log(`search through Pacer's API:  ${describeLatencies(pacerMs)}`);
    console.log(`same query straight to Typesense: ${describeLatencies(directMs)}`);
    console.log(`p95 ratio Pacer / direct: ${(percentile(pacerMs, 95) / percentile(directMs, 95)).toFixed(2)} (queries whose hit counts differed: ${disagree})`);

    const lags: number[] = [];
    for (let i = 0; i < PUBLISHES; i++) {
      const token = `lagword${crypto.randomBytes(5).toString('hex')}`;
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/api/v1/kb/articles`, { method: 'POST', headers: { authorization: `Bearer ${adminApiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: `Bench ${token}`, body: words(30), visibility: 'public', state: 'published' }) });
      if (res.status !== 201) throw new Error(`publish answered ${res.status}`);
      while ((await viaPacer(token)) === 0) {
        if (performance.now() - t0 > 30_000) throw new Error(`article ${token} not searchable after 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      lags.push(performance.now() - t0);
    }
    const p95 = percentile(lags, 95);
    console.log(`publish-to-searchable through the API: ${describeLatencies(lags)} — target p95 ≤ ${LAG_TARGET_MS} ms: ${p95 <= LAG_TARGET_MS ? 'met' : `NOT MET (${p95.toFixed(0)} ms)`}`);
  } finally {
    console.log(`load average (1/5/15 min) at end: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
    await drainer.stop();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await connection.close().catch(() => undefined);
    await server?.stop();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
