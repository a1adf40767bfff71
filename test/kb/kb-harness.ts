/**
 * The knowledge base under test: a fresh database, the app on a loopback port, and search on
 * the real Typesense server of the run (its own alias, so suites never meet) or on PostgreSQL
 * only. Readers are real API keys: staff, and customers of two organizations.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createPacerApp } from '../../src/app/http-app';
import { hashApiKey } from '../../src/http/kit/auth';
import { createLogger } from '../../src/core/logger';
import { KbSearch } from '../../src/domain/search/kb-search';
import { OutboxDrainer } from '../../src/domain/search/outbox-drainer';
import { reindex } from '../../src/domain/search/reindex';
import { TypesenseIndex } from '../../src/domain/search/typesense-index';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTemporalAddress } from '../support/env';

export type Engine = 'typesense' | 'postgres';

export interface ApiAnswer {
  status: number;
  body: any;
  text: string;
}

export interface KbHarness {
  baseUrl: string;
  database: TestDatabase;
  index: TypesenseIndex | null;
  drainer: OutboxDrainer | null;
  keys: { admin: string; agent: string; customerA: string; customerB: string };
  orgs: { a: string; b: string };
  api(path: string, init?: { method?: string; body?: unknown; key?: string | null }): Promise<ApiAnswer>;
  page(path: string, init?: { cookie?: string }): Promise<{ status: number; text: string }>;
  /** Every outbox row carried to Typesense (nothing to do on PostgreSQL). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function testTypesense(): { url: string; apiKey: string } {
  const url = process.env.PACER_TEST_TYPESENSE_URL;
  const apiKey = process.env.PACER_TEST_TYPESENSE_API_KEY;
  if (!url || !apiKey) throw new Error('PACER_TEST_TYPESENSE_URL and PACER_TEST_TYPESENSE_API_KEY are set by test/support/global-fixtures.ts');
  return { url, apiKey };
}

export async function startKbHarness(engine: Engine, typesense: { url: string; apiKey: string } | null = engine === 'typesense' ? testTypesense() : null): Promise<KbHarness> {
  const log = createLogger('error');
  const database = await createTestDatabase();
  const db = database.db;
  const connection = await Connection.connect({ address: testTemporalAddress() });
  const index = typesense ? new TypesenseIndex({ url: typesense.url, apiKey: typesense.apiKey, alias: `kb_test_${crypto.randomBytes(5).toString('hex')}`, timeoutSeconds: 1 }) : null;
  if (index) await reindex(db, index);
  const drainer = index ? new OutboxDrainer(db, index, log, { idleMs: 50, maxBackoffMs: 500 }) : null;
  const search = new KbSearch(db, log, index);
  const adminKey = `admin-${crypto.randomBytes(16).toString('hex')}`;
  const { app } = createPacerApp({ db, temporal: new Client({ connection }), taskQueue: 'kb-test', adminApiKey: adminKey, log, kb: { search, onChange: () => drainer?.wake() } });
  drainer?.start();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const orgs = { a: crypto.randomUUID(), b: crypto.randomUUID() };
  await db.insertInto('organizations').values([{ id: orgs.a, name: 'Org A', tier: 'starter', email_domains: '[]' }, { id: orgs.b, name: 'Org B', tier: 'starter', email_domains: '[]' }]).execute();
  const key = async (role: string, organizationId: string | null) => {
    const k = `pacer_${role}_${crypto.randomBytes(12).toString('hex')}`;
    await db.insertInto('api_keys').values({ id: crypto.randomUUID(), name: `${role} test`, role, organization_id: organizationId, key_hash: hashApiKey(k), key_prefix: k.slice(0, 12), revoked_at: null }).execute();
    return k;
  };
  const keys = { admin: adminKey, agent: await key('agent', null), customerA: await key('customer', orgs.a), customerB: await key('customer', orgs.b) };

  return {
    baseUrl,
    database,
    index,
    drainer,
    keys,
    orgs,
    async api(path, init = {}) {
      const headers: Record<string, string> = {};
      const k = init.key === undefined ? adminKey : init.key;
      if (k !== null) headers.authorization = `Bearer ${k}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      }
      const res = await fetch(baseUrl + path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, text };
    },
    async page(path, init = {}) {
      const res = await fetch(baseUrl + path, { headers: init.cookie ? { cookie: init.cookie } : {} });
      return { status: res.status, text: await res.text() };
    },
    async settle() {
      if (!drainer) return;
      // The background drainer may hold a batch (SKIP LOCKED): settled means no row left, carried by whichever drainer took it.
      const deadline = Date.now() + 10_000;
      while ((await drainer.drainAll(), await drainer.pending()) > 0) {
        if (Date.now() > deadline) throw new Error('the search outbox did not drain within 10 s');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await drainer?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
      await database.drop();
    },
  };
}
