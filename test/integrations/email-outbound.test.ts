/**
 * Outbound email end to end: tickets worked through the API, the worker sending through
 * nodemailer to a loopback SMTP capture server. Proves the requester's acknowledgement, agent
 * replies and solved notice (one each, threaded by Message-ID, recorded in email_messages),
 * that internal notes stay internal, that a 451 is retried into exactly one delivery, and that
 * an `email` ladder step reaches the address its role maps to, once even when the worker is lost
 * after the send.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createActivities, type Activities } from '../../activities';
import type { IntegrationConfig } from '../../src/integrations/config';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../support/fakes/smtp-capture';
import { createCalendar, createOrg, createPolicy, createTicket, eventually, sleep } from '../api/api-helpers';
import { actionEvent, timeline } from '../support/timeline';
import type { TicketView } from '../../src/domain/tickets/ticket-view';

const FROM = 'Pacer Support <support@pacer.test>';

describe('email: outbound through nodemailer', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let smtp: SmtpCapture;
  let org: { id: string };
  let crashes = 0;

  before(async function () {
    this.timeout(120_000);
    smtp = await startSmtpCapture();
    const integrations: IntegrationConfig = { publicUrl: 'https://pacer.test', email: { smtpUrl: smtp.url, from: FROM, roleEmails: { manager: 'manager@corp.test' } } };
    let real: Activities | undefined;
    h = await startHarness({
      integrations,
      activities: {
        // The worker dies right after the action to retry@corp.test did its work (before Temporal heard of it): the retry must not send again.
        runLadderAction: async (input) => {
          real ??= createActivities({ db: h.database.db, integrations });
          const result = await real.runLadderAction(input);
          if (input.action.to === 'retry@corp.test' && crashes++ === 0) throw new Error('worker lost after the send');
          return result;
        },
      },
    });
    org = await createOrg(h, 'enterprise');
  });
  after(async () => {
    await h?.close();
    await smtp?.close();
  });

  const mailFor = (number: string, list: CapturedMail[] = smtp.messages) => list.filter((m) => m.subject.includes(`[${number}]`));
  const recorded = (ticketId: string) =>
    h.database.db.selectFrom('email_messages').select(['message_id', 'direction', 'kind']).where('ticket_id', '=', ticketId).orderBy('created_at').execute();
  const newTicket = (subject: string) => createTicket(h, { subject, description: 'Details inside.', priority: 'normal', organizationId: org.id, requester: { email: 'ann@example.com', name: 'Ann' } });
  const waitForAck = async (t: { number: string; subject: string }) =>
    (await smtp.waitFor((ms) => mailFor(t.number, ms).some((m) => m.subject === `[${t.number}] ${t.subject}`), 15_000, `the acknowledgement of ${t.number}`)).find(
      (m) => m.subject === `[${t.number}] ${t.subject}`,
    )!;

  it('acknowledges a new ticket once, with its number, a recorded Message-ID and a plus-address Reply-To', async () => {
    const t = await newTicket('Invoices missing');
    const ack = await waitForAck(t);
    await sleep(1_000);
    assert.equal(mailFor(t.number).length, 1, 'one acknowledgement');
    assert.deepEqual(ack.envelope.rcptTo, ['ann@example.com']);
    assert.equal(ack.envelope.mailFrom, 'support@pacer.test');
    assert.equal(ack.from, 'support@pacer.test');
    assert.equal(ack.replyTo, `support+${t.number}@pacer.test`, 'replies come back tagged with the ticket (RFC 5233)');
    assert.ok(ack.text.includes(t.number), 'the body names the ticket number');
    assert.equal(ack.headers.get('auto-submitted'), 'auto-replied');
    assert.equal(ack.inReplyTo, null, 'the first message of the thread answers nothing');
    assert.match(ack.messageId ?? '', new RegExp(`^<${t.number.toLowerCase()}\\.acknowledgement\\.[0-9a-f]{20}@pacer\\.test>$`));
    assert.deepEqual(await recorded(t.id), [{ message_id: ack.messageId, direction: 'out', kind: 'acknowledgement' }]);
  });

  it('emails a public agent reply threaded onto the acknowledgement; an internal note sends nothing', async () => {
    const t = await newTicket('Export is slow');
    const ack = await waitForAck(t);
    assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'We are looking at the export queue.' } })).status, 201);
    const [reply] = mailFor(t.number, await smtp.waitFor((ms) => mailFor(t.number, ms).length >= 2, 15_000, 'the agent reply'))
      .filter((m) => m.subject.startsWith('Re:'));
    assert.ok(reply);
    assert.equal(reply.subject, `Re: [${t.number}] Export is slow`);
    assert.ok(reply.text.includes('We are looking at the export queue.'));
    assert.deepEqual(reply.envelope.rcptTo, ['ann@example.com']);
    assert.equal(reply.inReplyTo, ack.messageId, 'threaded onto the acknowledgement');
    assert.deepEqual(reply.references, [ack.messageId]);
    assert.notEqual(reply.messageId, ack.messageId);

    assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Customer is on the old plan', public: false } })).status, 201);
    await sleep(2_500);
    assert.equal(mailFor(t.number).length, 2, 'the internal note sent nothing');
    assert.ok(!smtp.attempts.some((m) => m.text.includes('old plan')));
    assert.deepEqual((await recorded(t.id)).map((r) => r.kind), ['acknowledgement', 'reply']);
  });

  it('sends a solved notice on the same thread', async () => {
    const t = await newTicket('Password reset');
    const ack = await waitForAck(t);
    assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'solved' } })).status, 200);
    const solved = (await smtp.waitFor((ms) => mailFor(t.number, ms).some((m) => m.subject.includes('Solved:')), 15_000, 'the solved notice')).find(
      (m) => m.subject === `[${t.number}] Solved: Password reset`,
    )!;
    assert.ok(solved);
    assert.equal(solved.inReplyTo, ack.messageId);
    assert.ok(solved.text.includes('solved'));
    await sleep(1_000);
    assert.equal(mailFor(t.number).length, 2, 'one solved notice');
    assert.deepEqual((await recorded(t.id)).map((r) => r.kind), ['acknowledgement', 'solved']);
  });

  it('retries after a 451 and delivers the message once, with the same Message-ID', async () => {
    smtp.rejectNext(1, 451);
    const t = await newTicket('Webhooks delayed');
    await waitForAck(t);
    await sleep(1_500);
    const tries = mailFor(t.number, smtp.attempts);
    assert.deepEqual(tries.map((m) => m.status), [451, 250], 'refused once, then accepted on the retry');
    assert.equal(tries[0]!.messageId, tries[1]!.messageId, 'the retry reuses the Message-ID');
    assert.equal(mailFor(t.number).length, 1, 'delivered once');
    assert.equal((await recorded(t.id)).length, 1);
  });

  describe('an `email` ladder step to a role, to a given address, to an unknown role, and to an address whose send crashes once', () => {
    let t: TicketView;
    const escalations = () => mailFor(t.number).filter((m) => m.subject.includes('SLA escalation'));

    before(async function () {
      this.timeout(60_000);
      const cal = await createCalendar(h, `always ${crypto.randomBytes(3).toString('hex')}`);
      const starter = await createOrg(h, 'starter');
      await createPolicy(h, {
        name: 'starter urgent (email ladder)', tier: 'starter', priority: 'urgent', calendarId: cal.id, firstResponseMinutes: 1, resolutionMinutes: null,
        escalations: [{ percent: 10, actions: [{ type: 'email', role: 'manager' }, { type: 'email', to: 'lead@corp.test' }, { type: 'email', role: 'nobody' }, { type: 'email', to: 'retry@corp.test' }] }],
      });
      t = await createTicket(h, { subject: 'Checkout down', priority: 'urgent', organizationId: starter.id, requester: { email: 'bo@example.com' } });
      await smtp.waitFor(() => escalations().length >= 3, 25_000, 'the escalation notices (6 s after creation)');
      await eventually(async () => crashes >= 2, 10_000, 'the retry of the crashed action');
      await sleep(1_500);
    });

    it('mails the address the role maps to and the given address once each, and the crashed send once in all', () => {
      const toManager = escalations().filter((m) => m.envelope.rcptTo.includes('manager@corp.test'));
      const toLead = escalations().filter((m) => m.envelope.rcptTo.includes('lead@corp.test'));
      assert.equal(toManager.length, 1, 'one notice to the manager role');
      assert.equal(toLead.length, 1, 'one notice to the given address');
      assert.equal(escalations().filter((e) => e.envelope.rcptTo.includes('retry@corp.test')).length, 1, 'the retried action did not send again');
      assert.equal(escalations().length, 3);
    });

    it('names the ticket, the clock, its due time and its link, with no address to reply to', () => {
      const m = escalations().find((e) => e.envelope.rcptTo.includes('manager@corp.test'))!;
      assert.equal(m.subject, `[${t.number}] SLA escalation: first response at 10% — Checkout down`);
      assert.ok(m.text.includes(`Due:      ${t.sla.firstResponse.dueAt}`), m.text);
      assert.ok(m.text.includes(`https://pacer.test/api/v1/tickets/${t.id}`));
      assert.equal(m.replyTo, null, 'staff act in the console: no plus-address to reply to');
    });

    it("keeps escalations out of the requester's thread", async () => {
      const ackId = (await recorded(t.id)).find((r) => r.kind === 'acknowledgement')?.message_id;
      assert.ok(ackId);
      assert.ok(escalations().every((e) => e.inReplyTo !== ackId && !e.references.includes(ackId)), 'escalations stay out of the requester thread');
    });

    it('records three actions done and the one to an unknown role skipped, saying why', async () => {
      const outcomes = (await timeline(h, 'tickets', t.id)).filter((e) => e.type.startsWith('action.'));
      assert.deepEqual(outcomes.map((e) => e.type).sort(), ['action.done', 'action.done', 'action.done', 'action.skipped']);
      const skipped = actionEvent(outcomes, 'action.skipped');
      assert.match(skipped?.data.detail ?? '', /no email address for role "nobody"/);
    });

    it('records each mail it sent', async () => {
      const kinds = (await recorded(t.id)).map((r) => r.kind).sort();
      assert.deepEqual(kinds, ['acknowledgement', 'escalation', 'escalation', 'escalation']);
    });
  });
});
