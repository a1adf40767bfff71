/**
 * Failure classes on errors real PostgreSQL and a real socket produce (not hand-made codes):
 * data and constraint errors fail for good, connection and contention errors retry.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { Client } from 'pg';
import { classifyFailure, classifyingFailures, storableText } from '../../src/db/failure-classes';
import { testDatabaseUrl } from '../support/env';

describe('failure classes', function () {
  this.timeout(30_000);
  let pg: Client;

  before(async () => {
    pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    await pg.query('create temporary table parent (id int primary key)');
    await pg.query('create temporary table child (id int primary key, parent_id int not null references parent (id), n int check (n >= 0))');
  });
  after(async () => pg?.end());

  /** The error PostgreSQL answers a statement with. */
  async function refusal(text: string, values: unknown[] = []): Promise<unknown> {
    try {
      await pg.query(text, values);
    } catch (err) {
      return err;
    }
    throw new Error(`PostgreSQL accepted: ${text}`);
  }

  const permanent: Array<[string, string, unknown[], string, string]> = [
    ['a NUL character in text', 'select $1::text', ['a\u0000b'], '22021', 'DatabaseDataException'],
    ['a NUL escape in jsonb', 'select $1::jsonb', ['{"a":"\\u0000"}'], '22P05', 'DatabaseDataException'],
    ['an integer beyond int4', 'select $1::int', ['2147483648'], '22003', 'DatabaseDataException'],
    ['a malformed uuid', 'select $1::uuid', ['not-a-uuid'], '22P02', 'DatabaseDataException'],
    ['a foreign key to nothing', 'insert into child (id, parent_id) values (1, 42)', [], '23503', 'DatabaseIntegrityViolation'],
    ['a null in a not-null column', 'insert into child (id, parent_id) values (2, null)', [], '23502', 'DatabaseIntegrityViolation'],
  ];
  for (const [what, text, values, code, type] of permanent) {
    it(`fails for good on ${what} (${code})`, async () => {
      const err = await refusal(text, values);
      assert.equal((err as { code?: string }).code, code);
      const c = classifyFailure(err);
      assert.ok(c, 'classified as permanent');
      assert.equal(c.type, type);
      assert.equal(c.details.sqlState, code);
      assert.ok(!c.message.includes('\u0000'), 'the message is itself storable');
    });
  }

  it('retries a statement timeout (57014), a syntax error (42601) and an unknown table (42P01)', async () => {
    await pg.query('set statement_timeout = 50');
    const timeout = await refusal('select pg_sleep(1)');
    await pg.query('set statement_timeout = 0');
    const syntax = await refusal('selec 1');
    const table = await refusal('select * from no_such_table');
    assert.deepEqual([timeout, syntax, table].map((e) => (e as { code?: string }).code), ['57014', '42601', '42P01']);
    assert.deepEqual([timeout, syntax, table].map(classifyFailure), [null, null, null]);
  });

  it('retries a refused connection', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const client = new Client({ host: '127.0.0.1', port, user: 'x', database: 'x', connectionTimeoutMillis: 2000 });
    const err = await client.connect().then(
      () => new Error('connected'),
      (e: unknown) => e,
    );
    assert.equal((err as { code?: string }).code, 'ECONNREFUSED');
    assert.equal(classifyFailure(err), null);
  });

  it('fails for good on 400, 401, 403, 404 and 422 answers, and retries 408, 409, 425, 429 and 5xx', () => {
    const answer = (status: number) => Object.assign(new Error(`HTTP ${status}`), { response: { status } });
    assert.deepEqual([400, 401, 403, 404, 422].map((s) => classifyFailure(answer(s))?.type), Array(5).fill('OutsideApiRefused'));
    assert.deepEqual([408, 409, 425, 429, 500, 502, 503].map((s) => classifyFailure(answer(s))), Array(7).fill(null));
  });

  it('wraps activities so a permanent failure is non-retryable with its class as type, and others pass unchanged', async () => {
    const nul = await refusal('select $1::text', ['\u0000']);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const acts = classifyingFailures({
      poisoned: async () => Promise.reject(nul),
      flaky: async () => Promise.reject(reset),
      fine: async (n: number) => n + 1,
    });
    await assert.rejects(acts.poisoned(), (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && err.type === 'DatabaseDataException');
    await assert.rejects(acts.flaky(), (err: unknown) => err === reset);
    assert.equal(await acts.fine(1), 2);
  });

  it('makes any text storable: NULs and lone surrogates replaced, length bounded', () => {
    assert.equal(storableText('a\u0000b\ud800c\udc00'), 'a\\0b\ufffdc\ufffd');
    assert.equal(storableText('😀'), '😀');
    assert.equal(storableText('x'.repeat(1000)).length, 300);
  });
});
