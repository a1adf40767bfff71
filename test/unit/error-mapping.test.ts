/**
 * The one mapping from an error to an HTTP answer (src/http/kit/errors.ts): domain errors carry a
 * kind and a stable code, and the kind alone decides the status, for the API and the console alike.
 */
import assert from 'node:assert/strict';
import { Conflict, Forbidden, InvalidInput, isRefusal, NotFound, PacerError, TooManyRequests, Unauthenticated, Unavailable, UpstreamFailed } from '../../src/core/errors';
import { refuseUnstorable } from '../../src/core/storable-text';
import { KbInvalidReference, KbInvalidState, KbNotFound } from '../../src/domain/kb/kb-errors';
import { errorAnswer, STATUS_OF_KIND, statusOf } from '../../src/http/kit/errors';

describe('error mapping: kind to status', () => {
  const cases: Array<[PacerError, number, string]> = [
    [new InvalidInput('bad'), 400, 'validation_failed'],
    [new Unauthenticated('who?'), 401, 'unauthenticated'],
    [new Forbidden('no'), 403, 'forbidden'],
    [new NotFound('ticket'), 404, 'not_found'],
    [new Conflict('invalid_transition', 'cannot'), 409, 'invalid_transition'],
    [new TooManyRequests('slow down'), 429, 'rate_limited'],
    [new UpstreamFailed('jira_unavailable', 'Jira did not answer'), 502, 'jira_unavailable'],
    [new Unavailable('jira_busy', 'being opened'), 503, 'jira_busy'],
  ];
  for (const [err, status, code] of cases) {
    it(`answers ${err.constructor.name} with ${status} ${code}`, () => {
      assert.deepEqual([statusOf(err), err.code], [status, code]);
    });
  }

  it('gives every kind a distinct status', () => {
    const statuses = Object.values(STATUS_OF_KIND);
    assert.equal(new Set(statuses).size, statuses.length);
  });

  it("answers the HTTP layer's own refusals through the same table, keeping their codes", () => {
    const answered = [new UpstreamFailed('jira_rejected', 'no'), new Unauthenticated('no', 'invalid_signature'), new Forbidden('no', 'csrf_failed')].map((e) => [e.kind, statusOf(e), e.code]);
    assert.deepEqual(answered, [['upstream_failed', 502, 'jira_rejected'], ['unauthenticated', 401, 'invalid_signature'], ['forbidden', 403, 'csrf_failed']]);
  });

  it('maps the knowledge base errors by their kind and keeps their codes', () => {
    const answered = [new KbNotFound('article'), new KbInvalidState('archived'), new KbInvalidReference('no such section')].map((e) => [statusOf(e), e.code]);
    assert.deepEqual(answered, [[404, 'not_found'], [409, 'invalid_state'], [400, 'invalid_reference']]);
  });
});

describe('error mapping: the one JSON shape', () => {
  it('carries code, message and field details of a PacerError', () => {
    const answer = errorAnswer(new InvalidInput('unknown organization', [{ path: 'organizationId', message: 'no such organization' }]));
    assert.deepEqual(answer.body, { error: { code: 'validation_failed', message: 'unknown organization', details: [{ path: 'organizationId', message: 'no such organization' }] } });
  });

  it('leaves details out when there are none', () => {
    assert.deepEqual(errorAnswer(new NotFound('ticket')).body, { error: { code: 'not_found', message: 'ticket not found' } });
  });

  it("answers body-parser's malformed JSON as 400 invalid_json", () => {
    const err = Object.assign(new SyntaxError('Unexpected token'), { status: 400, type: 'entity.parse.failed' });
    assert.deepEqual([errorAnswer(err).status, errorAnswer(err).body.error.code], [400, 'invalid_json']);
  });

  it('answers a backing service that cannot be reached as 503 with a Retry-After', () => {
    const answer = errorAnswer(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    assert.deepEqual([answer.status, answer.body.error.code, answer.retryAfterSeconds], [503, 'unavailable', 5]);
  });

  it('answers anything else as 500 internal without its message', () => {
    assert.deepEqual(errorAnswer(new TypeError('x is undefined')), { status: 500, body: { error: { code: 'internal', message: 'internal error' } }, known: false });
  });
});

describe('error kinds: refusal or failure', () => {
  it('counts input, rights and state as refusals', () => {
    assert.deepEqual([new InvalidInput('x'), new Forbidden('x'), new NotFound('x'), new Conflict('in_use', 'x')].map(isRefusal), [true, true, true, true]);
  });

  it('counts an outside service failing or busy as a failure, not a refusal', () => {
    assert.deepEqual([new UpstreamFailed('jira_unavailable', 'x'), new Unavailable('jira_busy', 'x'), new Error('x')].map(isRefusal), [false, false, false]);
  });

  it('refuses unstorable text as validation_failed naming the field', () => {
    assert.throws(() => refuseUnstorable({ subject: 'ok', body: 'nul\u0000' }), (err: unknown) => err instanceof InvalidInput && err.details?.[0]?.path === 'body');
  });
});
