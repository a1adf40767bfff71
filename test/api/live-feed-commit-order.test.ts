/**
 * The console's live feed (TicketEventTail) against the real PostgreSQL test server: an event
 * whose transaction took a lower seq but commits after one with a higher seq has been read is
 * still reported, once — the gap a tail by `seq` falls into.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createLogger } from '../../src/core/logger';
import { insertEvents } from '../../src/db/repositories/ticket-events';
import { newTicketRow } from '../../src/db/rows/ticket-rows';
import { TicketEventTail } from '../../src/http/web/event-stream';
import type { EventInput } from '../../workflows/contract/records';
import type { SlaSnapshot } from '../../workflows/contract/ticket';
import { ticketInput } from '../support/ticket-fixtures';

const NO_SLA: SlaSnapshot = { frDueAt: null, frMetAt: null, frAtRiskAt: null, resDueAt: null, resMetAt: null, resAtRiskAt: null, resPausedSince: null, nrDueAt: null, nrAtRiskAt: null, nrBreaches: 0 };
const note = (ticketId: string, name: string): EventInput => ({ id: `${ticketId}:${name}`, type: 'comment.internal', at: new Date().toISOString(), actor: 'agent:alice', visibility: 'internal', data: { commentId: crypto.randomUUID(), authorType: 'agent' } });

describe('live feed: events that commit out of seq order', () => {
  let database: TestDatabase;
  let tail: TicketEventTail;
  let unsubscribe = () => undefined as void;
  const heard: string[] = [];
  const tickets: string[] = [];

  const heardOf = async (ticketId: string, what: string) => {
    const until = Date.now() + 10_000;
    while (!heard.includes(ticketId)) {
      if (Date.now() > until) throw new Error(`the feed never reported ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  before(async () => {
    database = await createTestDatabase();
    const org = await database.db.insertInto('organizations').values({ id: crypto.randomUUID(), name: 'Feed Co', tier: 'enterprise', email_domains: JSON.stringify([]) }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < 3; i++) {
      const { ticket } = ticketInput(org.id, Date.now(), null);
      await database.db.insertInto('tickets').values(newTicketRow(ticket, null, NO_SLA)).execute();
      tickets.push(ticket.id);
    }
    tail = new TicketEventTail(database.db, createLogger('silent'), 25);
    unsubscribe = tail.subscribe((changes) => heard.push(...changes.map((c) => c.ticketId)));
    // A first event heard proves the tail has taken its starting snapshot.
    const probe = tickets[2]!;
    for (let n = 0; !heard.includes(probe); n++) {
      await insertEvents(database.db, probe, [note(probe, `probe-${n}`)]);
      await heardOf(probe, 'the probe').catch(() => undefined);
    }
  });
  after(async () => {
    unsubscribe();
    await database?.drop();
  });

  it('reports the lower seq committed after the higher one, each once', async () => {
    const [late, early] = [tickets[0]!, tickets[1]!];
    let commit = () => undefined as void;
    let inserted = () => undefined as void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    const insertedLate = new Promise<void>((resolve) => (inserted = resolve));
    const lateTx = database.db.transaction().execute(async (tx) => {
      await insertEvents(tx, late, [note(late, 'late')]);
      inserted();
      await held;
    });
    // The late transaction holds its seq before the early one takes the next.
    await insertedLate;
    await insertEvents(database.db, early, [note(early, 'early')]);
    await heardOf(early, 'the committed higher seq');
    assert.equal(heard.includes(late), false, 'an uncommitted event is not reported');

    commit();
    await lateTx;
    await heardOf(late, 'the lower seq committed later');
    const seqs = await database.db.selectFrom('ticket_events').select(['id', 'seq']).where('id', 'in', [`${late}:late`, `${early}:early`]).execute();
    const seqOf = (id: string) => BigInt(seqs.find((r) => r.id === id)!.seq);
    assert.ok(seqOf(`${late}:late`) < seqOf(`${early}:early`), 'the late event really holds the lower seq');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([heard.filter((t) => t === late).length, heard.filter((t) => t === early).length], [1, 1], 'each reported once');
  });

});
