/**
 * Tickets through HTTP on real components (PostgreSQL, Temporal dev server, worker):
 * create with priority inference and SLA targets, Idempotency-Key replays, get, filtered
 * and cursor-paginated lists, status and priority patches, comments against the
 * first-response clock, the event timeline and the live SLA state from the workflow query.
 */
import assert from 'node:assert/strict';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createOrg, createTicket, eventually, instantMs, listComments, ticketCount } from './api-helpers';
import { commentResponse, eventList, ticketPage, ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';
import { timeline } from '../support/timeline';

const MINUTE = 60_000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

describe('API: tickets', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let enterprise: { id: string };
  let community: { id: string };

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    enterprise = await createOrg(h, 'enterprise');
    community = await createOrg(h, 'community');
  });
  after(async () => h?.close());

  describe('create', () => {
    it('answers 201 with a TKT-YYYYMMDD-NNNN number, a Location and the ticket', async () => {
      const res = await h.api('/api/v1/tickets', {
        body: { subject: 'Question about invoices', description: 'Where do I find them?', priority: 'normal', requester: { email: 'ann@example.com', name: 'Ann' }, organizationId: enterprise.id },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const t = bodyOf(res, ticketResponse, 201);
      assert.match(t.number, /^TKT-\d{8}-\d{4}$/);
      assert.equal(t.number.slice(4, 12), t.createdAt.slice(0, 10).replace(/-/g, ''), 'the number carries the creation day (UTC)');
      assert.equal(res.headers.get('location'), `/api/v1/tickets/${t.id}`);
      assert.equal(t.status, 'new');
      assert.equal(t.priority, 'normal');
      assert.equal(t.organizationId, enterprise.id);
      assert.deepEqual(t.requester, { email: 'ann@example.com', name: 'Ann' });
      assert.match(t.createdAt, ISO_UTC);
    });

    it('infers the priority from the text with the seed keywords when none is given', async () => {
      const cases: Array<[string, string, string]> = [
        ['Production is down', 'Nothing loads since 10:00', 'urgent'],
        ['I found a bug', 'The export button does nothing', 'high'],
        ['How do I change my avatar?', 'Just curious', 'normal'],
      ];
      for (const [subject, description, expected] of cases) {
        const t = await createTicket(h, { subject, description, organizationId: enterprise.id });
        assert.equal(t.priority, expected, `"${subject}" should be ${expected}`);
      }
    });

    it('an enterprise ticket gets SLA due instants; a community ticket gets none', async () => {
      // Enterprise urgent runs on the 24x7 calendar with a 4-hour first response and 24-hour resolution.
      const ent = await createTicket(h, { subject: 'Production is down', organizationId: enterprise.id });
      assert.equal(ent.priority, 'urgent');
      assert.match(ent.sla.firstResponse.dueAt ?? '', ISO_UTC);
      assert.equal(instantMs(ent.sla.firstResponse.dueAt) - instantMs(ent.createdAt), 240 * MINUTE);
      assert.equal(instantMs(ent.sla.resolution.dueAt) - instantMs(ent.createdAt), 24 * 60 * MINUTE);
      assert.equal(ent.sla.firstResponse.metAt, null);
      assert.equal(ent.sla.firstResponse.breached, false);
      assert.ok(ent.policyId, 'a policy was matched');

      const com = await createTicket(h, { subject: 'Production is down', organizationId: community.id });
      assert.equal(com.sla.firstResponse.dueAt, null);
      assert.equal(com.sla.resolution.dueAt, null);
      assert.equal(com.policyId, null);
    });

    it('an Idempotency-Key retry returns the same ticket (200, Idempotent-Replayed) and creates nothing', async () => {
      const body = { subject: 'Cannot export CSV', description: 'It spins forever', priority: 'high', requester: { email: 'bob@example.com' }, organizationId: enterprise.id };
      const headers = { 'idempotency-key': 'create-csv-1' };
      const first = await h.api('/api/v1/tickets', { body, headers });
      const firstBody = bodyOf(first, ticketResponse, 201);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      const before = await ticketCount(h);

      const again = await h.api('/api/v1/tickets', { body, headers });
      const againBody = bodyOf(again, ticketResponse);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(againBody.id, firstBody.id);
      assert.equal(againBody.number, firstBody.number);
      assert.equal(await ticketCount(h), before);
      const rows = await h.database.db.selectFrom('tickets').select('id').where('subject', '=', 'Cannot export CSV').execute();
      assert.equal(rows.length, 1);

      // One workflow for the ticket, and every workflow on this worker's queue has its ticket.
      await h.client.workflow.getHandle(`ticket-${firstBody.id}`).describe();
      const all = await ticketCount(h);
      await eventually(
        async () => (await h.client.workflow.count(`TaskQueue = '${h.taskQueue}'`)).count === all,
        15_000,
        `as many workflows as tickets (${all})`,
      );
    });

    it('the same Idempotency-Key with a different body is a 409 and creates nothing', async () => {
      const headers = { 'idempotency-key': 'create-reused-1' };
      const body = { subject: 'Login loop', requester: { email: 'cy@example.com' }, organizationId: enterprise.id };
      assert.equal((await h.api('/api/v1/tickets', { body, headers })).status, 201);
      const before = await ticketCount(h);
      const res = await h.api('/api/v1/tickets', { body: { ...body, subject: 'Login loop (edited)' }, headers });
      assertError(res, 409, 'idempotency_key_reused');
      assert.equal(await ticketCount(h), before);
    });

    it('concurrent creates get distinct numbers; concurrent retries of one key make one ticket', async () => {
      const body = (i: number) => ({ subject: `Burst ${i}`, priority: 'low', requester: { email: 'burst@example.com' }, organizationId: community.id });
      const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => h.api('/api/v1/tickets', { body: body(i) })));
      assert.ok(burst.every((r) => r.status === 201));
      assert.equal(new Set(burst.map((r) => bodyOf(r, ticketResponse, 201).number)).size, 8);
      const before = await ticketCount(h);
      const same = await Promise.all(Array.from({ length: 5 }, () => h.api('/api/v1/tickets', { body: body(99), headers: { 'idempotency-key': 'burst-key' } })));
      assert.deepEqual(same.map((r) => r.status).sort(), [200, 200, 200, 200, 201], JSON.stringify(same.map((r) => r.body)));
      assert.equal(new Set(same.map((r) => bodyOf(r, ticketResponse, r.status).id)).size, 1);
      assert.equal(await ticketCount(h), before + 1);
    });
  });

  describe('get and list', () => {
    let org: { id: string };
    const made: TicketView[] = [];

    before(async () => {
      org = await createOrg(h, 'professional');
      const specs = [
        { subject: 'List one', priority: 'normal', assignee: 'alice' },
        { subject: 'List two', priority: 'high', assignee: 'bob' },
        { subject: 'List three', priority: 'normal', assignee: 'alice' },
        { subject: 'List four', priority: 'low', assignee: null },
        { subject: 'List five', priority: 'high', assignee: 'alice' },
      ];
      for (const s of specs) made.push(await createTicket(h, { ...s, organizationId: org.id }));
    });

    it('gets a ticket by id; an unknown id is a 404', async () => {
      const res = await h.api(`/api/v1/tickets/${made[0]!.id}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, made[0]);
      assertError(await h.api('/api/v1/tickets/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    });

    it('filters by organization, priority, assignee and status', async () => {
      const ids = async (query: string) => {
        const res = await h.api(`/api/v1/tickets?${query}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return new Set<string>(bodyOf(res, ticketPage).data.map((t: { id: string }) => t.id));
      };
      const byIndex = (...i: number[]) => new Set(i.map((n) => made[n]!.id));
      assert.deepEqual(await ids(`organizationId=${org.id}`), byIndex(0, 1, 2, 3, 4));
      assert.deepEqual(await ids(`organizationId=${org.id}&priority=high`), byIndex(1, 4));
      assert.deepEqual(await ids(`organizationId=${org.id}&priority=high,low`), byIndex(1, 3, 4));
      assert.deepEqual(await ids(`organizationId=${org.id}&assignee=alice`), byIndex(0, 2, 4));
      assert.deepEqual(await ids(`organizationId=${org.id}&assignee=alice&priority=normal`), byIndex(0, 2));

      const patched = await h.api(`/api/v1/tickets/${made[3]!.id}`, { method: 'PATCH', body: { status: 'pending' } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.deepEqual(await ids(`organizationId=${org.id}&status=pending`), byIndex(3));
      assert.deepEqual(await ids(`organizationId=${org.id}&status=new`), byIndex(0, 1, 2, 4));
    });

    it('pages with a cursor: newest first, no duplicates, every ticket seen once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = `organizationId=${org.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await h.api(`/api/v1/tickets?${q}`);
        const resBody = bodyOf(res, ticketPage);
        assert.ok(resBody.data.length <= 2);
        seen.push(...resBody.data.map((t: { id: string }) => t.id));
        cursor = resBody.nextCursor;
        pages += 1;
        assert.ok(pages <= 5, 'pagination does not terminate');
      } while (cursor);
      assert.equal(pages, 3);
      assert.equal(new Set(seen).size, seen.length, 'no ticket appears twice');
      assert.deepEqual(seen, [...made].reverse().map((t) => t.id), 'newest first, all five');
      assertError(await h.api('/api/v1/tickets?cursor=not-a-cursor'), 400, 'invalid_cursor');
    });
  });

  describe('patch', () => {
    it('walks new → pending → open → solved', async () => {
      const t = await createTicket(h, { subject: 'Walk the statuses', priority: 'normal', organizationId: enterprise.id });
      for (const status of ['pending', 'open', 'solved']) {
        const res = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status } });
        const resBody = bodyOf(res, ticketResponse);
        assert.equal(resBody.status, status);
        // pending pauses the resolution clock (due unknown while paused); open resumes it.
        if (status === 'pending') {
          assert.match(resBody.sla.resolution.pausedSince ?? '', ISO_UTC);
          assert.equal(resBody.sla.resolution.dueAt, null);
        } else {
          assert.equal(resBody.sla.resolution.pausedSince, null);
        }
        if (status === 'open') assert.ok(instantMs(resBody.sla.resolution.dueAt) >= instantMs(t.sla.resolution.dueAt), 'resumed: due no earlier than before the pause');
      }
      const solved = bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse);
      assert.match(solved.solvedAt ?? '', ISO_UTC);
      assert.match(solved.sla.resolution.metAt ?? '', ISO_UTC);
      assert.equal(solved.sla.resolution.breached, false);
    });

    it('an invalid transition is a 409 and changes nothing', async () => {
      const t = await createTicket(h, { subject: 'No going back', priority: 'normal', organizationId: enterprise.id });
      assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'solved' } })).status, 200);
      const before = (await h.api(`/api/v1/tickets/${t.id}`)).body;
      const eventsBefore = bodyOf(await h.api(`/api/v1/tickets/${t.id}/events`), eventList).data.length;

      assertError(await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'pending' } }), 409, 'invalid_transition');
      // Also when combined with other fields: nothing of the request applies.
      assertError(await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'on_hold', assignee: 'zed' } }), 409, 'invalid_transition');

      assert.deepEqual((await h.api(`/api/v1/tickets/${t.id}`)).body, before);
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${t.id}/events`), eventList).data.length, eventsBefore);
    });

    it('a priority change re-targets the SLA due instants, visibly in the response', async () => {
      // Enterprise normal: 24 business hours on New York 9–17; enterprise urgent: 4 hours, 24x7.
      const t = await createTicket(h, { subject: 'Slow dashboard', priority: 'normal', organizationId: enterprise.id });
      const res = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'urgent' } });
      const resBody = bodyOf(res, ticketResponse);
      assert.equal(resBody.priority, 'urgent');
      assert.notEqual(resBody.policyId, t.policyId);
      assert.notEqual(resBody.sla.firstResponse.dueAt, t.sla.firstResponse.dueAt);
      assert.equal(instantMs(resBody.sla.firstResponse.dueAt) - instantMs(t.createdAt), 240 * MINUTE, 'from the ticket start, not from the change');
      assert.equal(instantMs(resBody.sla.resolution.dueAt) - instantMs(t.createdAt), 24 * 60 * MINUTE);
      const live = bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse);
      assert.equal(live.priority, 'urgent');
      assert.equal(live.firstResponse?.dueAt, resBody.sla.firstResponse.dueAt);
    });
  });

  describe('comments, timeline and live SLA', () => {
    describe('an internal note, then a public agent reply, on a new enterprise ticket', () => {
      let t: TicketView;
      /** The ticket as read just after the reply. */
      let replied: TicketView;

      before(async () => {
        t = await createTicket(h, { subject: 'Production is down', organizationId: enterprise.id });
      });

      it("an internal note is the agent's private comment and leaves the first-response clock running", async () => {
        const note = await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Looks like the EU cluster', public: false } });
        const noteBody = bodyOf(note, commentResponse, 201);
        assert.equal(noteBody.public, false);
        assert.equal(noteBody.author.type, 'agent');
        const now = bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse);
        assert.equal(now.sla.firstResponse.metAt, null);
        assert.equal(now.status, 'new');
      });

      it("a public agent reply meets the first-response clock in time, and an agent's first public reply opens the ticket", async () => {
        const reply = await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'We are on it.' } });
        assert.equal(reply.status, 201, JSON.stringify(reply.body));
        assert.equal(bodyOf(reply, commentResponse, 201).public, true);
        replied = bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse);
        assert.match(replied.sla.firstResponse.metAt ?? '', ISO_UTC);
        assert.ok(instantMs(replied.sla.firstResponse.metAt) >= instantMs(t.createdAt));
        assert.equal(replied.sla.firstResponse.breached, false);
        assert.equal(replied.status, 'open', "an agent's first public reply opens the ticket");
      });

      it('lists both comments in order, the note private', async () => {
        const comments = await listComments(h, t.id);
        assert.deepEqual(comments.map((c) => c.public), [false, true]);
      });

      it('records the timeline in order, each comment with its visibility', async () => {
        const events = await timeline(h, 'tickets', t.id);
        assert.deepEqual(
          events.map((e) => e.type),
          ['ticket.created', 'comment.internal', 'comment.public', 'sla.first_response_met', 'ticket.status_changed'],
        );
        const seqs = events.map((e) => e.seq);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
        for (let i = 1; i < events.length; i++) assert.ok(Date.parse(events[i]!.at) >= Date.parse(events[i - 1]!.at), 'instants never go backwards');
        assert.deepEqual(events.at(-1)?.data, { from: 'new', to: 'open' });
        assert.equal(events[1]?.visibility, 'internal');
        assert.equal(events[2]?.visibility, 'public');
      });

      it("answers the live SLA state from the workflow's query", async () => {
        const sla = await h.api(`/api/v1/tickets/${t.id}/sla`);
        const slaBody = bodyOf(sla, ticketSlaResponse);
        assert.equal(slaBody.ticketId, t.id);
        assert.equal(slaBody.status, 'open');
        assert.equal(slaBody.policyName, 'enterprise urgent');
        assert.equal(slaBody.firstResponse?.metAt, replied.sla.firstResponse.metAt);
        assert.equal(slaBody.firstResponse?.breached, false);
        assert.equal(slaBody.resolution?.metAt, null);
        assert.equal(slaBody.resolution?.dueAt, replied.sla.resolution.dueAt);
        assert.equal(slaBody.resolution?.cycle, 0);
        assert.ok(slaBody.stateVersion >= 2);
      });
    });

    it('GET /tickets/:id/sla is live: elapsed time grows between two reads', async () => {
      const t = await createTicket(h, { subject: 'Production is down', organizationId: enterprise.id });
      const first = bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse);
      assert.equal(first.firstResponse?.targetMinutes, 240);
      assert.equal(first.firstResponse?.dueAt, t.sla.firstResponse.dueAt);
      assert.deepEqual(first.firstResponse?.escalations.map((e: { percent: number }) => e.percent), [80, 100, 120]);
      assert.ok(first.firstResponse?.escalations.every((e: { fired: boolean }) => e.fired === false));
      assert.equal(first.firstResponse?.breached, null, 'unmet and not yet due');
      await new Promise((r) => setTimeout(r, 1100));
      const second = bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse);
      assert.ok((second.firstResponse?.elapsedSeconds ?? 0) > (first.firstResponse?.elapsedSeconds ?? Infinity), `${second.firstResponse?.elapsedSeconds} > ${first.firstResponse?.elapsedSeconds}`);

      const none = bodyOf(await h.api(`/api/v1/tickets/${(await createTicket(h, { subject: 'Hi', organizationId: community.id })).id}/sla`), ticketSlaResponse);
      assert.equal(none.firstResponse, null);
      assert.equal(none.resolution, null);
    });
  });
});
