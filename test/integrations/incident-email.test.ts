/**
 * Who hears of an incident by email, end to end through the incident workflow on the
 * Temporal dev server and a loopback SMTP server: the requesters of linked tickets get each
 * public update (it is a public comment on their ticket) and confirmed status-page
 * subscribers get it too — once each; internal updates reach nobody.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { bodyOf, createOrg, createTicket, eventually, sleep } from '../api/api-helpers';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { commentResponse, incidentResponse, listOf } from '../../src/http/api/openapi/responses';

describe('incident updates by email', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let smtp: SmtpCapture;

  before(async function () {
    this.timeout(120_000);
    smtp = await startSmtpCapture();
    h = await startHarness({ integrations: { publicUrl: 'https://pacer.test', email: { smtpUrl: smtp.url, from: 'Pacer <support@pacer.test>', roleEmails: {} } } });
  });
  after(async () => {
    await h?.close();
    await smtp?.close();
  });

  it('mails each public update to linked tickets\u2019 requesters and to confirmed subscribers, once each, and internal ones to nobody', async () => {
    const org = await createOrg(h, 'enterprise');
    const t = await createTicket(h, { subject: 'Cannot log in', priority: 'high', organizationId: org.id, requester: { email: 'ann@customer.test', name: 'Ann' } });
    await h.database.db
      .insertInto('status_subscribers')
      .values([
        { id: crypto.randomUUID(), email: 'watcher@customer.test', token: crypto.randomBytes(16).toString('hex'), confirmed_at: new Date() },
        { id: crypto.randomUUID(), email: 'unconfirmed@customer.test', token: crypto.randomBytes(16).toString('hex'), confirmed_at: null },
      ])
      .execute();
    const i = bodyOf(await h.api('/api/v1/incidents', { body: { title: 'Login outage', severity: 'medium', sourceTicketId: t.id } }), incidentResponse, 201);
    const to = (addr: string) => smtp.messages.filter((m) => m.to.some((x) => x.includes(addr)) && m.text.includes('single sign-on'));

    await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { body: 'Internal: the IdP vendor is paged.', public: false } });
    const upd = await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'identified', body: 'Logins fail for single sign-on users; a fix is rolling out.' } });
    assert.equal(upd.status, 201, JSON.stringify(upd.body));

    await smtp.waitFor(() => to('ann@customer.test').length === 1 && to('watcher@customer.test').length === 1, 20_000, 'the requester and the subscriber mailed');
    await sleep(2_000); // a duplicate would have arrived by now
    assert.equal(to('ann@customer.test').length, 1, 'the requester once');
    assert.equal(to('watcher@customer.test').length, 1, 'the subscriber once');
    assert.equal(to('unconfirmed@customer.test').length, 0, 'never the unconfirmed');
    assert.ok(!smtp.messages.some((m) => m.text.includes('IdP vendor')), 'internal updates are mailed to nobody');
    const requesterMail = to('ann@customer.test')[0]!;
    assert.match(requesterMail.subject, new RegExp(t.number), 'threaded on the ticket');
    await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${t.id}/comments`), listOf(commentResponse)).data.length === 1, 5_000, 'one comment on the ticket');
  });
});
