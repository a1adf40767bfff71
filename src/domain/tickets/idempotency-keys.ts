/**
 * Idempotency-Keys, one rule for every endpoint that takes the header: a key names one request.
 * The first request with a key records the hash of what it asked for; the same key with the
 * same request is a replay (the action ids derived from the key make the workflow apply it
 * once), and the same key with anything else — another body, another ticket, another
 * endpoint — is a 409 `idempotency_key_reused`. Keys are scoped per API key (or user).
 *
 * A key is recorded only once the request has passed validation, so a refused request does not
 * burn it; a request whose only change the workflow refuses gives its key back too.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { Conflict, isRefusal } from '../../core/errors';

/** Tickets' keys live with ticket creation's, incidents' with incident creation's. */
const TABLES = {
  ticket: { table: 'idempotency_keys', subject: 'ticket_id', input: 'ticket_input' },
  incident: { table: 'incident_idempotency_keys', subject: 'incident_id', input: 'incident_input' },
} as const;

export const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** The hash of a request other than a create: which request it is, on what, with which body. */
export function requestHash(request: string, subjectId: string, body: unknown): string {
  return sha256(JSON.stringify({ request, subjectId, body }));
}

const reused = () => new Conflict('idempotency_key_reused', 'this Idempotency-Key was used with a different request');

export class IdempotencyKeys {
  private readonly t: (typeof TABLES)[keyof typeof TABLES];

  constructor(
    private readonly db: Kysely<Database>,
    kind: keyof typeof TABLES,
  ) {
    this.t = TABLES[kind];
  }

  /** What the request that holds the key recorded, if it is this same request; undefined when the key is free. */
  async replayOf(scope: string, key: string, hash: string): Promise<{ input: unknown } | undefined> {
    const { rows } = await sql<{ request_hash: string; input: unknown }>`
      select request_hash, ${sql.ref(this.t.input)} as input from ${sql.table(this.t.table)} where scope = ${scope} and key = ${key}`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;
    if (row.request_hash !== hash) throw reused();
    return { input: row.input };
  }

  /**
   * Records the key for this request. `claimed` is false when a concurrent request with the
   * same key won the race: its input is returned (the same request) or a 409 thrown.
   */
  async claim(scope: string, key: string, hash: string, subjectId: string, input: unknown): Promise<{ claimed: boolean; input: unknown }> {
    const { rows } = await sql<{ key: string }>`
      insert into ${sql.table(this.t.table)} (scope, key, request_hash, ${sql.ref(this.t.subject)}, ${sql.ref(this.t.input)})
      values (${scope}, ${key}, ${hash}, ${subjectId}, ${JSON.stringify(input)}::jsonb)
      on conflict (scope, key) do nothing returning key`.execute(this.db);
    if (rows.length) return { claimed: true, input };
    const winner = await this.replayOf(scope, key, hash);
    // The request that held the key changed nothing and gave it back between our insert and our read: a race between
    // two callers, not a bug, so a 409 the caller can retry (the key is free again) rather than a 500.
    if (!winner) throw new Conflict('idempotency_key_in_flight', 'a concurrent request with this Idempotency-Key gave it back meanwhile; retry the request');
    return { claimed: false, input: winner.input };
  }

  /** Gives a key back when its request changed nothing (refused before any action applied). */
  async release(scope: string, key: string, hash: string): Promise<void> {
    await sql`delete from ${sql.table(this.t.table)} where scope = ${scope} and key = ${key} and request_hash = ${hash}`.execute(this.db);
  }

  /**
   * Runs a request's actions under its key: a different request holding the key is a 409
   * before anything runs. For a new request `check` (what would refuse it) runs first, then the
   * key is recorded, then `run`; a replay skips `check`, since the state it checked has moved
   * on and the workflow ignores actions it already applied. A key is given back when the first
   * action is refused (nothing changed); `run` counts the actions it applied.
   */
  async guard<T>(scope: string, key: string | undefined, hash: string, subjectId: string, steps: { check?: () => Promise<void> | void; run: (applied: { count: number }) => Promise<T> }): Promise<T> {
    const applied = { count: 0 };
    if (!key) {
      await steps.check?.();
      return steps.run(applied);
    }
    const replay = await this.replayOf(scope, key, hash);
    if (!replay) await steps.check?.();
    const claimed = replay ? false : (await this.claim(scope, key, hash, subjectId, { request: 'action' })).claimed;
    try {
      return await steps.run(applied);
    } catch (err) {
      if (claimed && applied.count === 0 && isRefusal(err)) await this.release(scope, key, hash).catch(() => undefined);
      throw err;
    }
  }
}

/** The scope a principal's keys live in: its API key, or its role for the configured admin key. */
export const keyScope = (p: { keyId: string | null; role: string }) => p.keyId ?? `role:${p.role}`;
