/**
 * The edge's primitives on their own: the storable-text rule, free-form JSON bounds, cursors,
 * and where webhooks may go (by address, by what a name resolves to, and in the socket's lookup).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundedJson, isStorableText, safeString } from '../../src/http/kit/schemas';
import { parseCursor, parseInboundJson } from '../../src/http/kit/validation';
import { bodyOf, subjectOf } from '../../src/integrations/email/mail-text';
import { PacerError } from '../../src/core/errors';
import { statusOf } from '../../src/http/kit/errors';
import { guardedLookup, isPrivateAddress, webhookUrlProblem } from '../../src/domain/webhooks/url-guard';
import { z } from 'zod';

describe('edge primitives', () => {
  describe('storable text', () => {
    it('refuses NUL and unpaired surrogates, keeps paired ones', () => {
      assert.equal(isStorableText('plain text, ünïcödé, 😀'), true);
      for (const bad of ['a\u0000b', '\ud800', 'x\udc00', '\udc00\ud800', 'end\ud83d']) assert.equal(isStorableText(bad), false, JSON.stringify(bad));
      assert.equal(safeString().safeParse('\u0000').success, false);
    });
  });

  describe('text from senders that cannot fix it', () => {
    it('another service\'s webhook JSON: unstorable characters in strings and keys become U+FFFD', () => {
      const v = parseInboundJson(JSON.stringify({ event: { id: 'a\u0000b', ['k\ud800']: ['x\udc00', 1, null], emoji: '😀' } }));
      assert.deepEqual(v, { event: { id: 'a\ufffdb', ['k\ufffd']: ['x\ufffd', 1, null], emoji: '😀' } });
    });
    it('inbound mail: the same for a subject and a body', () => {
      assert.equal(subjectOf('Hi\u0000there'), 'Hi\ufffdthere');
      assert.equal(bodyOf('line\u0000 \ud800 😀'), 'line\ufffd \ufffd 😀');
    });
  });

  describe('free-form JSON', () => {
    const schema = boundedJson(z.looseObject({ type: z.string() }));
    it('names the nested path of an unstorable string or key', () => {
      const r = schema.safeParse({ type: 'notify', a: [{ b: 'x\u0000' }] });
      assert.equal(r.success, false);
      assert.deepEqual(r.error?.issues[0]?.path, ['a', 0, 'b']);
      assert.equal(schema.safeParse({ type: 'notify', ['k\u0000']: 1 }).success, false);
    });
    it('bounds depth, keys and size', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 10; i++) deep = [deep];
      assert.equal(schema.safeParse({ type: 'x', deep }).success, false);
      assert.equal(schema.safeParse({ type: 'x', ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i])) }).success, false);
      assert.equal(schema.safeParse({ type: 'x', big: 'y'.repeat(20_000) }).success, false);
      assert.equal(schema.safeParse({ type: 'x', ok: { nested: [1, 2, { three: 'fine' }] } }).success, true);
    });
  });

  describe('cursors', () => {
    const make = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const id = '00000000-0000-4000-8000-000000000000';
    it('accepts what the API issues', () => {
      assert.deepEqual(parseCursor(make({ createdAt: '2026-12-01T10:00:00.000Z', id })), { createdAt: '2026-12-01T10:00:00.000Z', id });
    });
    for (const [what, raw] of [
      ['empty', ''],
      ['padding', `${make({ createdAt: '2026-12-01T10:00:00.000Z', id })}==`],
      ['an array', make([1, 2])],
      ['a non-uuid id', make({ createdAt: '2026-12-01T10:00:00.000Z', id: '1; drop table tickets' })],
      ['a year past 9999', make({ createdAt: '+010000-01-01T00:00:00.000Z', id })],
      ['a date before 1970', make({ createdAt: '1969-12-31T23:59:59.000Z', id })],
    ] as const) {
      it(`refuses ${what} with invalid_cursor`, () => {
        assert.throws(() => parseCursor(raw), (err: unknown) => err instanceof PacerError && statusOf(err) === 400 && err.code === 'invalid_cursor');
      });
    }
  });

  describe('webhook destinations', () => {
    it('classifies addresses: private, loopback, link-local and mapped ones refused, public ones allowed', () => {
      for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd12::1', '::ffff:10.0.0.1', 'ff02::1']) assert.equal(isPrivateAddress(a), true, a);
      for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
    });

    it('refuses a name by what it resolves to; a name that does not resolve waits for delivery', async () => {
      const lookup = async (host: string) => (host === 'internal.example' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }] : Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })));
      assert.match((await webhookUrlProblem('https://internal.example/x', { allowPrivate: false, lookup })) ?? '', /resolves to 10\.0\.0\.7/);
      assert.equal(await webhookUrlProblem('https://unknown.example/x', { allowPrivate: false, lookup }), null);
      assert.equal(await webhookUrlProblem('https://internal.example/x', { allowPrivate: true, lookup }), null);
      assert.match((await webhookUrlProblem('http://user:pw@example.com/', { allowPrivate: true, lookup })) ?? '', /credentials/);
    });

    it('the socket lookup refuses a name that resolves to loopback, so a request never connects', async () => {
      let hits = 0;
      const server = http.createServer((_req, res) => {
        hits++;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const get = (allowPrivate: boolean) =>
        new Promise<number>((resolve, reject) => {
          http.get(`http://localhost:${port}/`, { lookup: guardedLookup(allowPrivate), family: 4 }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject);
        });
      try {
        await assert.rejects(get(false), /resolves to 127\.0\.0\.1/);
        assert.equal(hits, 0);
        assert.equal(await get(true), 200);
        assert.equal(hits, 1);
      } finally {
        server.close();
      }
    });
  });
});
