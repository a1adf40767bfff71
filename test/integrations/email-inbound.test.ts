/**
 * Inbound email end to end: nodemailer delivers to Pacer's SMTP listener (started through
 * STARTERS, as `npm start` does), which opens tickets and adds customer comments through the
 * workflow; outbound mail goes to the loopback capture server so replies can answer the real
 * acknowledgement. Proves organization routing, attachments, the three ways a reply finds its
 * ticket, pending → open and solved → reopened, closed → follow-up ticket, redelivery
 * idempotency, and the SMTP refusals (552 oversized, 550 unknown sender or no From) that
 * leave nothing behind.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import { createLogger } from '../../src/core/logger';
import type { IntegrationConfig } from '../../src/integrations/config';
import { startInboundEmail } from '../../src/integrations/email/inbound-server';
import { startIntegrationServers } from '../../src/integrations/servers';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { bodyOf, createOrg } from '../api/api-helpers';
import { organizationResponse, ticketResponse } from '../../src/http/api/openapi/responses';

const MAX_BYTES = 64 * 1024;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('email: inbound through the SMTP listener', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let smtp: SmtpCapture;
  let config: IntegrationConfig;
  const stops: Array<() => Promise<void>> = [];
  let acme: { id: string };
  let client: ReturnType<typeof nodemailer.createTransport>;

  before(async function () {
    this.timeout(120_000);
    smtp = await startSmtpCapture();
    const port = await freePort();
    config = {
      publicUrl: 'https://pacer.test',
      email: { smtpUrl: smtp.url, from: 'Pacer Support <support@pacer.test>', roleEmails: {} },
      inbound: { port, maxBytes: MAX_BYTES },
    };
    h = await startHarness({ integrations: config });
    const deps = { db: h.database.db, lifecycle: h.lifecycle, tickets: h.tickets, config, log: createLogger('warn') };
    stops.push(...(await startIntegrationServers(deps)));
    client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const res = await h.api('/api/v1/organizations', { body: { name: 'Acme', tier: 'enterprise', emailDomains: ['acme.test'] } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    acme = bodyOf(res, organizationResponse, 201);
  });
  after(async () => {
    client?.close();
    for (const stop of stops) await stop();
    await h?.close();
    await smtp?.close();
  });

  const deliver = (mail: SendMailOptions, via = client) =>
    via.sendMail({ to: 'support@pacer.test', ...mail }).then(
      (info) => ({ code: 250, info, message: '' }),
      (err: { responseCode?: number; message: string }) => ({ code: err.responseCode ?? 0, info: null, message: err.message }),
    );
  const ticketsFrom = (email: string) => h.database.db.selectFrom('tickets').selectAll().where('requester_email', '=', email).orderBy('created_at').execute();
  const commentsOf = (ticketId: string) => h.database.db.selectFrom('comments').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').execute();
  const ackOf = async (number: string) =>
    (await smtp.waitFor((ms) => ms.some((m) => m.subject.startsWith(`[${number}]`)), 15_000, `the acknowledgement of ${number}`)).find((m) => m.subject.startsWith(`[${number}]`))!;
  const newId = (tag: string) => `<${tag}-${crypto.randomBytes(6).toString('hex')}@acme.test>`;

  /** A new ticket from carol@acme.test, acknowledged; returns it with the acknowledgement. */
  async function ticketByMail(subject: string, from = 'Carol <carol@acme.test>') {
    const messageId = newId('new');
    assert.equal((await deliver({ from, subject, text: 'Details in the mail.', messageId })).code, 250);
    const row = await h.database.db.selectFrom('email_messages').innerJoin('tickets', 'tickets.id', 'email_messages.ticket_id').selectAll('tickets').where('message_id', '=', messageId).executeTakeFirstOrThrow();
    return { ticket: row, messageId, ack: await ackOf(row.number) };
  }

  it('turns a new message into a ticket of the sender organization, channel email, attachment kept, acknowledged on its thread', async () => {
    const png = crypto.randomBytes(2048);
    const messageId = newId('first');
    const res = await deliver({
      from: 'Carol Jones <carol@acme.test>', subject: 'Production dashboard is down', text: 'Since 9:00 nothing loads.', messageId,
      attachments: [{ filename: 'screenshot.png', content: png, contentType: 'image/png' }],
    });
    assert.equal(res.code, 250, res.message);
    // 250 is answered only once the ticket exists: no waiting needed.
    const [t, ...more] = (await ticketsFrom('carol@acme.test')).filter((r) => r.subject === 'Production dashboard is down');
    assert.ok(t);
    assert.equal(more.length, 0);
    assert.equal(t.organization_id, acme.id);
    assert.equal(t.channel, 'email');
    assert.equal(t.requester_name, 'Carol Jones');
    assert.equal(t.description, 'Since 9:00 nothing loads.');
    assert.equal(t.priority, 'urgent', 'inferred from "down" and "production"');
    const files = await h.database.db.selectFrom('attachments').selectAll().where('ticket_id', '=', t.id).execute();
    assert.equal(files.length, 1);
    assert.equal(files[0]!.filename, 'screenshot.png');
    assert.equal(files[0]!.content_type, 'image/png');
    assert.ok(Buffer.from(files[0]!.content).equals(png), 'the attachment bytes are kept');
    const recorded = await h.database.db.selectFrom('email_messages').selectAll().where('ticket_id', '=', t.id).where('direction', '=', 'in').execute();
    assert.deepEqual(recorded.map((r) => [r.message_id, r.kind]), [[messageId, 'new-ticket']]);
    const ack = await ackOf(t.number);
    assert.deepEqual(ack.envelope.rcptTo, ['carol@acme.test']);
    assert.equal(ack.inReplyTo, messageId, 'the acknowledgement answers the customer mail');
  });

  it('makes one ticket of a message delivered twice', async () => {
    const mail = { from: 'Dan <dan@acme.test>', subject: 'Twice delivered', text: 'Hello', messageId: newId('dup'), attachments: [{ filename: 'a.txt', content: 'abc' }] };
    assert.equal((await deliver(mail)).code, 250);
    assert.equal((await deliver(mail)).code, 250, 'the redelivery is accepted (it is already kept)');
    const rows = await ticketsFrom('dan@acme.test');
    assert.equal(rows.length, 1);
    assert.equal((await h.database.db.selectFrom('attachments').select('id').where('ticket_id', '=', rows[0]!.id).execute()).length, 1);
  });

  it('adds a reply (In-Reply-To) as a customer comment that resumes a pending ticket, once however often it arrives', async () => {
    const { ticket, messageId, ack } = await ticketByMail('Sync stopped');
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { status: 'pending' } })).status, 200);
    const reply = {
      from: 'Carol <carol@acme.test>', subject: `Re: ${ack.subject}`, messageId: newId('reply'), inReplyTo: ack.messageId!, references: [messageId, ack.messageId!],
      text: 'It syncs again after the restart.\n\nOn Mon, Pacer Support wrote:\n> We received your request',
    };
    assert.equal((await deliver(reply)).code, 250);
    const comments = await commentsOf(ticket.id);
    assert.equal(comments.length, 1);
    assert.equal(comments[0]!.author_type, 'customer');
    assert.equal(comments[0]!.author_name, 'carol@acme.test');
    assert.equal(comments[0]!.public, true);
    assert.equal(comments[0]!.body, 'It syncs again after the restart.', 'the quoted history is left out');
    const after = bodyOf(await h.api(`/api/v1/tickets/${ticket.id}`), ticketResponse);
    assert.equal(after.status, 'open', 'the customer reply resumed the pending ticket');
    assert.equal((await deliver(reply)).code, 250);
    assert.equal((await commentsOf(ticket.id)).length, 1, 'a redelivered reply adds nothing');
    assert.equal((await ticketsFrom('carol@acme.test')).filter((t) => t.subject.includes('Sync stopped')).length, 1);
  });

  it('finds the ticket of a reply by the plus-address, then by the [TKT-…] subject token', async () => {
    const { ticket } = await ticketByMail('Billing question');
    assert.equal((await deliver({ from: 'carol@acme.test', to: `support+${ticket.number}@pacer.test`, subject: 'one more thing', text: 'Also the VAT id.', messageId: newId('plus') })).code, 250);
    assert.equal((await deliver({ from: 'erin@acme.test', subject: `Re: [${ticket.number}] Billing question`, text: 'I am Carol’s colleague.', messageId: newId('token') })).code, 250);
    const bodies = (await commentsOf(ticket.id)).map((c) => [c.author_name, c.body]);
    assert.deepEqual(bodies, [['carol@acme.test', 'Also the VAT id.'], ['erin@acme.test', 'I am Carol’s colleague.']]);
    assert.equal((await ticketsFrom('erin@acme.test')).length, 0, 'matched, not a new ticket');
  });

  it('reopens a solved ticket on a reply, and opens a follow-up ticket for a reply to a closed one', async () => {
    const { ticket, ack } = await ticketByMail('Report export');
    const patch = (status: string) => h.api(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { status } });
    assert.equal((await patch('solved')).status, 200);
    const reply = (tag: string, text: string) => deliver({ from: 'carol@acme.test', subject: `Re: ${ack.subject}`, inReplyTo: ack.messageId!, text, messageId: newId(tag) });
    assert.equal((await reply('reopen', 'Still broken for PDF.')).code, 250);
    assert.equal(bodyOf(await h.api(`/api/v1/tickets/${ticket.id}`), ticketResponse).status, 'open', 'reopened');
    assert.equal((await patch('solved')).status, 200);
    assert.equal((await patch('closed')).status, 200);
    assert.equal((await reply('late', 'And CSV too.')).code, 250);
    const followUps = (await ticketsFrom('carol@acme.test')).filter((t) => t.id !== ticket.id && t.subject === 'Re: Report export');
    assert.equal(followUps.length, 1, 'a new ticket, subject without the old token');
    assert.equal(followUps[0]!.organization_id, acme.id);
    assert.match(followUps[0]!.description, new RegExp(`^Follow-up to ${ticket.number}, which is closed\\.\\n\\nAnd CSV too\\.$`));
    assert.equal((await commentsOf(ticket.id)).length, 1, 'the closed ticket got nothing');
  });

  it('refuses an oversized message with 552 and keeps nothing', async () => {
    const res = await deliver({ from: 'frank@acme.test', subject: 'Huge log', text: 'see attached', attachments: [{ filename: 'big.log', content: crypto.randomBytes(MAX_BYTES * 2) }] });
    assert.equal(res.code, 552, res.message);
    assert.equal((await ticketsFrom('frank@acme.test')).length, 0);
  });

  it('refuses mail from an unknown sender with 550 when no default organization is set (a guessed [TKT-…] gives no access)', async () => {
    const { ticket } = await ticketByMail('Access review');
    const res = await deliver({ from: 'mallory@elsewhere.test', subject: `[${ticket.number}] let me in`, text: 'hi', messageId: newId('stranger') });
    assert.equal(res.code, 550, res.message);
    assert.match(res.message, /not a known customer address/);
    assert.equal((await ticketsFrom('mallory@elsewhere.test')).length, 0);
    assert.equal((await commentsOf(ticket.id)).length, 0);
  });

  it('refuses mail without a From address with 550 and keeps nothing', async () => {
    const before = await h.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const raw = ['To: support@pacer.test', 'Subject: anonymous', `Message-ID: ${newId('nofrom')}`, '', 'who am I'].join('\r\n');
    const res = await deliver({ envelope: { from: 'someone@acme.test', to: ['support@pacer.test'] }, raw });
    assert.equal(res.code, 550, res.message);
    assert.match(res.message, /no valid From address/);
    const after = await h.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.equal(after.n, before.n);
  });

  it('accepts but ignores auto-replies, so an out-of-office answer to the acknowledgement opens no ticket', async () => {
    const res = await deliver({ from: 'hank@acme.test', subject: 'Out of office', text: 'Back Monday', headers: { 'Auto-Submitted': 'auto-replied' } });
    assert.equal(res.code, 250, 'answered 250: bouncing an auto-reply would only loop');
    assert.equal((await ticketsFrom('hank@acme.test')).length, 0);
  });

  it('puts mail from an unknown sender in the default organization when one is configured', async () => {
    const fallback = await createOrg(h, 'community');
    const port = await freePort();
    const withDefault: IntegrationConfig = { ...config, inbound: { port, maxBytes: MAX_BYTES, defaultOrganizationId: fallback.id } };
    const stop = await startInboundEmail({ db: h.database.db, lifecycle: h.lifecycle, tickets: h.tickets, config: withDefault, log: createLogger('warn') });
    assert.ok(stop);
    stops.push(stop);
    const other = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      assert.equal((await deliver({ from: 'gina@gmail.test', subject: 'Hello there', text: 'Question' }, other)).code, 250);
    } finally {
      other.close();
    }
    const rows = await ticketsFrom('gina@gmail.test');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.organization_id, fallback.id);
  });
});
