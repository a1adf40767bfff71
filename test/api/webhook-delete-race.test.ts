/**
 * Deleting a webhook subscription while a ticket's events are being written must not fail
 * that write: a foreign-key violation is a permanent failure, so the ticket's change would
 * be refused for good because an admin tidied up the subscriptions.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { EventInput } from '../../workflows/contract/records';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertEvents } from '../../src/db/repositories/ticket-events';

describe('webhook fan-out while a subscription is deleted', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  it('skips the subscription deleted meanwhile instead of failing the event write', async () => {
    const { db } = database;
    const subscriptionId = crypto.randomUUID();
    await db
      .insertInto('webhook_subscriptions')
      .values({ id: subscriptionId, url: 'https://example.com/hook', secret: 'a-secret-of-some-length', event_types: JSON.stringify(['*']) })
      .execute();
    const ticketId = crypto.randomUUID();
    const event: EventInput = { id: `${ticketId}:race`, type: 'comment.public', at: new Date().toISOString(), actor: 'agent:alice', visibility: 'public', data: { commentId: crypto.randomUUID(), authorType: 'agent' } };

    // The delete holds its row lock, uncommitted, while the events are written: the write's
    // snapshot still sees the subscription, and the delete commits before the write's check.
    let written: Promise<unknown> = Promise.resolve();
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('webhook_subscriptions').where('id', '=', subscriptionId).execute();
      written = insertEvents(db, ticketId, [event]);
      // Long enough for the write to reach the locked row and wait on it.
      await sql`select pg_sleep(0.5)`.execute(tx);
    });

    assert.deepEqual(await written, []);
    const stored = await db.selectFrom('ticket_events').select('id').where('ticket_id', '=', ticketId).execute();
    assert.deepEqual(stored.map((r) => r.id), [event.id]);
  });
});
