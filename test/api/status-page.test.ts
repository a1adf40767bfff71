/**
 * The public status page on real PostgreSQL: GET /status (HTML) and GET /api/v1/status (JSON)
 * without an API key, a component shown degraded while an active incident holds it and
 * operational once the impact ends, uptime from a known outage, nothing internal on the page;
 * then subscriptions end to end through a loopback SMTP server: confirmation mail, confirm
 * link, one notice per confirmed subscriber and update (none twice, none to the unconfirmed
 * or unsubscribed), the unsubscribe link and header, and re-subscribing.
 */
import assert from 'node:assert/strict';
import type { z } from 'zod';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createStatusSubscriberActivities } from '../../activities/status-subscribers';
import { errorMiddleware } from '../../src/http/kit/errors';
import { statusRoutes } from '../../src/http/api/routes/status';
import type { IntegrationConfig } from '../../src/integrations/config';
import { createLogger } from '../../src/core/logger';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../support/fakes/smtp-capture';
import { assertError, bodyOf, eventually, sleep } from './api-helpers';
import { statusResponse } from '../../src/http/api/openapi/responses';

const PUBLIC_URL = 'https://status.pacer.test';
const FROM = 'Pacer Status <status@pacer.test>';
const DAY = 86_400_000;
/** Header lines as one line each (RFC 5322 folding undone). */
const unfold = (raw: string) => raw.replace(/\r?\n[ \t]+/g, ' ');

describe('status page', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let smtp: SmtpCapture;
  let email: NonNullable<IntegrationConfig['email']>;

  before(async function () {
    this.timeout(120_000);
    smtp = await startSmtpCapture();
    email = { smtpUrl: smtp.url, from: FROM, roleEmails: {} };
    h = await startHarness({ integrations: { publicUrl: PUBLIC_URL, email } });
  });
  after(async () => {
    await h?.close();
    await smtp?.close();
  });

  const db = () => h.database.db;
  const page = async () => {
    const res = await fetch(`${h.baseUrl}/status`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    return res.text();
  };
  /** The status pill of the component named `name` on the page. */
  const shownStatus = (html: string, id: string) => new RegExp(`data-component-id="${id}"[\\s\\S]*?data-status="([a-z_]+)"`).exec(html)?.[1];
  const newComponent = async (body: Record<string, unknown>) => {
    const res = await h.api('/api/v1/components', { body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; name: string };
  };
  let serial = 0;
  const newIncident = async (over: { title?: string; status?: string; resolvedAt?: Date | null; commander?: string } = {}) => {
    const id = crypto.randomUUID();
    const now = new Date();
    const number = `INC-20261201-${String(++serial).padStart(4, '0')}-${crypto.randomBytes(2).toString('hex')}`;
    await db()
      .insertInto('incidents')
      .values({
        id, number, title: over.title ?? 'Elevated API errors', description: 'internal description: db-7 failover', severity: 'high', status: over.status ?? 'investigating',
        commander: over.commander ?? 'Cora Commander', responders: JSON.stringify(['Rita Responder']), impact: 'partial_outage', created_by: 'test', workflow_id: `incident-${id}`,
        postmortem_required: true, resolved_at: over.resolvedAt ?? null, created_at: now, updated_at: now,
      })
      .execute();
    return { id, number };
  };
  const addUpdate = async (incidentId: string, body: string, isPublic: boolean, status = 'investigating', at = new Date()) => {
    const id = crypto.randomUUID();
    await db().insertInto('incident_updates').values({ id, incident_id: incidentId, status, body, public: isPublic, author: 'Cora Commander', created_at: at }).execute();
    return id;
  };

  describe('a component an active incident holds degraded, beside one no incident holds', () => {
    let api: { id: string; name: string };
    let other: { id: string; name: string };
    let inc: { id: string; number: string };
    let html: string;

    before(async () => {
      api = await newComponent({ name: 'Public API', group: 'Core', description: 'REST & <webhooks>' });
      other = await newComponent({ name: 'Docs', position: 5 });
      inc = await newIncident({ title: 'Errors on <script>alert(1)</script>' });
      await addUpdate(inc.id, 'We are investigating elevated errors.', true, 'investigating', new Date(Date.now() - 60_000));
      await addUpdate(inc.id, 'INTERNAL: failover to db-7 botched', false);
      await addUpdate(inc.id, 'A fix is rolling out & errors are dropping.', true, 'identified');
      await db().insertInto('component_impacts').values({ id: `${inc.id}:${api.id}:1`, component_id: api.id, incident_id: inc.id, impact: 'degraded', started_at: new Date(Date.now() - 120_000), ended_at: null }).execute();
      html = await page();
    });

    it('shows the held component degraded, in words, the other operational, under a degraded banner', () => {
      assert.equal(shownStatus(html, api.id), 'degraded');
      assert.match(html, /Degraded performance/, 'the status is spelled out, not only coloured');
      assert.equal(shownStatus(html, other.id), 'operational');
      assert.match(html, /class="banner s-degraded"[^>]*>Some systems are experiencing degraded performance/);
    });

    it('escapes user text and shows nothing internal: no internal update, commander, responders or description', () => {
      assert.ok(html.includes('Errors on &lt;script&gt;alert(1)&lt;/script&gt;'), 'user text is escaped');
      assert.ok(!html.includes('<script'), 'no scripts at all');
      assert.ok(html.includes('REST &amp; &lt;webhooks&gt;'));
      assert.ok(!html.includes('INTERNAL'), 'internal updates stay internal');
      assert.ok(!html.includes('Cora') && !html.includes('Rita') && !html.includes('db-7'), 'no commander, responders or description');
    });

    it('lists the public updates newest first, on a page that loads nothing from outside', () => {
      const newer = html.indexOf('A fix is rolling out &amp; errors are dropping.');
      const older = html.indexOf('We are investigating elevated errors.');
      assert.ok(newer > 0 && older > newer, 'updates newest first');
      assert.match(html, /<h1>/);
      assert.ok(!/<link|@import|https?:\/\/(?!status\.pacer)/.test(html.replace(/<time[^>]*>/g, '')), 'no outside resources');
    });

    it('answers the same as JSON, with only the public fields of the incident', async () => {
      const json = await h.api('/api/v1/status', { key: null });
      assert.equal(json.status, 200);
      const status = bodyOf(json, statusResponse);
      assert.equal(status.status, 'degraded');
      const active = status.activeIncidents.find((i) => i.id === inc.id);
      assert.ok(active, 'the incident is active');
      assert.deepEqual(active.updates.map((u) => u.body), ['A fix is rolling out & errors are dropping.', 'We are investigating elevated errors.']);
      assert.deepEqual(active.components, [{ id: api.id, name: 'Public API', impact: 'degraded' }]);
      assert.ok(!JSON.stringify(json.body).includes('Cora') && !JSON.stringify(json.body).includes('INTERNAL'));
      assert.deepEqual(Object.keys(active).sort(), ['components', 'createdAt', 'id', 'number', 'resolvedAt', 'severity', 'status', 'title', 'updates']);
    });

    it('shows the component operational once the incident resolves, and the incident under recently resolved', async () => {
      // The incident resolves: its stretch ends; the component is operational and the incident moves to "resolved".
      await db().updateTable('component_impacts').set({ ended_at: new Date() }).where('incident_id', '=', inc.id).execute();
      await db().updateTable('incidents').set({ status: 'resolved', resolved_at: new Date() }).where('id', '=', inc.id).execute();
      html = await page();
      assert.equal(shownStatus(html, api.id), 'operational');
      assert.match(html, /class="banner s-operational"[^>]*>All systems operational/);
      const after = bodyOf(await h.api('/api/v1/status', { key: null }), statusResponse);
      assert.equal(after.activeIncidents.length, 0);
      assert.ok(after.recentIncidents.some((i) => i.id === inc.id));
      const recentAt = html.indexOf('Resolved in the last 7 days');
      assert.ok(html.indexOf('Errors on &lt;script&gt;') > recentAt, 'listed under recently resolved');
    });

    it('shows a manual status even without an incident', async () => {
      await h.api(`/api/v1/components/${other.id}`, { method: 'PATCH', body: { status: 'partial_outage' } });
      assert.equal(shownStatus(await page(), other.id), 'partial_outage');
      await h.api(`/api/v1/components/${other.id}`, { method: 'PATCH', body: { status: 'operational' } });
      await h.api(`/api/v1/components/${api.id}`, { method: 'DELETE' });
      await h.api(`/api/v1/components/${other.id}`, { method: 'DELETE' });
    });
  });

  describe('uptime and subscriptions', () => {
    describe('the uptime of a ten-day-old component with a known outage five days ago', () => {
      let c: { id: string; name: string };
      let today: number;
      let createdAt: Date;
      let outageDay: Date;
      let status: z.output<typeof statusResponse>;
      let billing: z.output<typeof statusResponse>['components'][number];
      let html: string;
      const day = (d: Date) => billing.uptime.days.find((x) => x.date === d.toISOString().slice(0, 10));

      before(async () => {
        c = await newComponent({ name: 'Billing' });
        today = Math.floor(Date.now() / DAY) * DAY;
        createdAt = new Date(today - 10 * DAY);
        await db().updateTable('components').set({ created_at: createdAt }).where('id', '=', c.id).execute();
        const inc = await newIncident({ status: 'closed', resolvedAt: new Date(today - 5 * DAY + 12 * 3_600_000) });
        outageDay = new Date(today - 5 * DAY);
        const impact = (n: number, level: string, from: number, to: number) =>
          db().insertInto('component_impacts').values({ id: `${inc.id}:${c.id}:${n}`, component_id: c.id, incident_id: inc.id, impact: level, started_at: new Date(outageDay.getTime() + from * 3_600_000), ended_at: new Date(outageDay.getTime() + to * 3_600_000) }).execute();
        await impact(1, 'major_outage', 0, 8);
        await impact(2, 'partial_outage', 6, 12); // overlaps: 00:00–12:00 down
        await impact(3, 'degraded', 12, 20); // degraded counts as up
        status = bodyOf(await h.api('/api/v1/status', { key: null }), statusResponse);
        const found = status.components.find((x) => x.id === c.id);
        assert.ok(found, 'the component is on the status page');
        billing = found;
        html = await page();
      });
      after(async () => {
        await h.api(`/api/v1/components/${c.id}`, { method: 'DELETE' });
      });

      it('answers 90 days, the outage day 50% up: overlapping outages count once, degraded counts as up', () => {
        assert.equal(billing.uptime.days.length, 90);
        assert.deepEqual(day(outageDay), { date: outageDay.toISOString().slice(0, 10), uptimePercent: 50, downtimeMinutes: 720 });
      });

      it('answers a day after it fully up, and no data for the days before the component existed', () => {
        assert.equal(day(new Date(today - 4 * DAY))?.uptimePercent, 100);
        assert.equal(day(new Date(today - 11 * DAY))?.uptimePercent, null, 'before the component existed: no data');
      });

      it('answers the 90-day percentage over the time observed since the component existed', () => {
        const observed = Date.parse(status.generatedAt) - createdAt.getTime();
        const expected = Math.floor(((observed - 12 * 3_600_000) * 10_000) / observed) / 100;
        assert.equal(billing.uptime.percent, expected);
      });

      it('shows the percentage and the outage day on the page, the downtime in text too', () => {
        const observed = Date.parse(status.generatedAt) - createdAt.getTime();
        const expected = Math.floor(((observed - 12 * 3_600_000) * 10_000) / observed) / 100;
        const block = html.slice(html.indexOf(`data-component-id="${c.id}"`));
        assert.ok(block.includes(`${expected.toFixed(2)}% uptime</span> over the last 90 days`), 'the 90-day percentage is on the page');
        assert.ok(block.includes(`${outageDay.toISOString().slice(0, 10)}: 50.00% up, 720 min down`));
        assert.ok(block.includes(`Days with downtime: ${outageDay.toISOString().slice(0, 10)} (50.00%)`), 'the downtime is in text too');
      });
    });

    describe('subscriptions', () => {
      const mailTo = (address: string, list: CapturedMail[] = smtp.messages) => list.filter((m) => m.envelope.rcptTo.includes(address));
      const linkIn = (mail: CapturedMail, kind: 'confirm' | 'unsubscribe') => {
        const m = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/status/subscriptions/${kind}\\?token=[A-Za-z0-9_%-]+)`).exec(mail.text);
        assert.ok(m, `no ${kind} link in: ${mail.text}`);
        return `${h.baseUrl}${m[1]}`;
      };
      const subscribe = (address: string) => h.api('/api/v1/status/subscriptions', { key: null, body: { email: address } });
      const confirmationFor = async (address: string) => mailTo(address, await smtp.waitFor((ms) => mailTo(address, ms).length > 0, 10_000, `confirmation to ${address}`))[0]!;

      it('rejects a malformed address (400) and answers 202 for any well-formed one, once per address', async () => {
        assertError(await subscribe('not-an-email'), 400, 'validation_failed');
        assertError(await h.api('/api/v1/status/subscriptions', { key: null, body: { email: 'a@b.test', extra: 1 } }), 400, 'validation_failed');
        const first = await subscribe('Ann@Example.test');
        assert.equal(first.status, 202, JSON.stringify(first.body));
        const mail = await confirmationFor('ann@example.test');
        assert.match(mail.subject, /Confirm/);
        assert.match(unfold(mail.raw), /^List-Unsubscribe: <https:\/\/status\.pacer\.test\/status\/subscriptions\/unsubscribe\?token=[A-Za-z0-9_-]+>\r?$/m, 'List-Unsubscribe header');
        assert.equal(mail.from, 'status@pacer.test');
        // Asking again while unconfirmed: still 202, no second mail.
        assert.equal((await subscribe('ann@example.test')).status, 202);
        await sleep(500);
        assert.equal(mailTo('ann@example.test').length, 1);
      });

      describe('three subscribers: carl confirms, una does not, ursula confirms and unsubscribes', () => {
        let ursulaMail: CapturedMail;
        let inc: { id: string; number: string };
        let updateId: string;
        let internalId: string;
        let activities: ReturnType<typeof createStatusSubscriberActivities>;
        let notice: CapturedMail;
        let sentBefore: number;

        before(async () => {
          for (const a of ['carl@example.test', 'una@example.test', 'ursula@example.test']) assert.equal((await subscribe(a)).status, 202);
        });

        it('the confirm link confirms once and then says so; an unknown token is 404', async () => {
          const confirmRes = await fetch(linkIn(await confirmationFor('carl@example.test'), 'confirm'));
          assert.equal(confirmRes.status, 200);
          assert.match(await confirmRes.text(), /Subscription confirmed/);
          assert.match(await (await fetch(linkIn(await confirmationFor('carl@example.test'), 'confirm'))).text(), /Already confirmed/);
          await confirmationFor('una@example.test');
          assert.equal((await fetch(`${h.baseUrl}/status/subscriptions/confirm?token=${'x'.repeat(43)}`)).status, 404);
        });

        it('the unsubscribe link of the confirmation unsubscribes', async () => {
          ursulaMail = await confirmationFor('ursula@example.test');
          assert.equal((await fetch(linkIn(ursulaMail, 'confirm'))).status, 200);
          const unsub = await fetch(linkIn(ursulaMail, 'unsubscribe'));
          assert.equal(unsub.status, 200);
          assert.match(await unsub.text(), /Unsubscribed/);
        });

        it('a public update sends one notice, to the confirmed subscriber only, with one-click unsubscribe headers', async () => {
          inc = await newIncident({ title: 'Login failures' });
          updateId = await addUpdate(inc.id, 'Logins fail for some users; we are on it.', true);
          internalId = await addUpdate(inc.id, 'INTERNAL ONLY', false);
          activities = createStatusSubscriberActivities({ db: db(), email, publicUrl: PUBLIC_URL, log: createLogger('silent') });
          sentBefore = smtp.messages.length;
          assert.deepEqual(await activities.notifyStatusSubscribers({ incidentId: inc.id, updateId }), { sent: 1 });
          const notices = smtp.messages.slice(sentBefore);
          assert.equal(notices.length, 1);
          notice = notices[0]!;
          assert.deepEqual(notice.envelope.rcptTo, ['carl@example.test']);
          assert.ok(notice.subject.includes(inc.number) && notice.subject.includes('Login failures'));
          assert.ok(notice.text.includes('Logins fail for some users'));
          assert.match(unfold(notice.raw), /^List-Unsubscribe: <https:\/\/status\.pacer\.test\/status\/subscriptions\/unsubscribe\?token=/m);
          assert.match(unfold(notice.raw), /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
          assert.match(notice.messageId ?? '', /^<status\..+@pacer\.test>$/);
        });

        it('sends nothing more for a retried activity, nothing for an internal update, nothing without email configured', async () => {
          assert.deepEqual(await activities.notifyStatusSubscribers({ incidentId: inc.id, updateId }), { sent: 0 });
          assert.deepEqual(await activities.notifyStatusSubscribers({ incidentId: inc.id, updateId: internalId }), { sent: 0 });
          assert.deepEqual(await createStatusSubscriberActivities({ db: db(), publicUrl: PUBLIC_URL }).notifyStatusSubscribers({ incidentId: inc.id, updateId }), { sent: 0 });
          await sleep(300);
          assert.equal(smtp.messages.length, sentBefore + 1);
        });

        it('a 4xx throws (Temporal retries) and the retry sends exactly the one still missing', async () => {
          const second = await addUpdate(inc.id, 'Fixed; monitoring.', true, 'monitoring');
          smtp.rejectNext(1, 451);
          await assert.rejects(activities.notifyStatusSubscribers({ incidentId: inc.id, updateId: second }));
          assert.deepEqual(await activities.notifyStatusSubscribers({ incidentId: inc.id, updateId: second }), { sent: 1 });
        });

        it('a 5xx is final for that subscriber: recorded, not retried', async () => {
          const third = await addUpdate(inc.id, 'Resolved.', true, 'resolved');
          smtp.rejectNext(1, 550);
          assert.deepEqual(await activities.notifyStatusSubscribers({ incidentId: inc.id, updateId: third }), { sent: 0 });
          assert.deepEqual(await activities.notifyStatusSubscribers({ incidentId: inc.id, updateId: third }), { sent: 0 });
          assert.equal(smtp.attempts.filter((m) => m.text.includes('Resolved.')).length, 1);
        });

        it("the notice's one-click unsubscribe (a POST) stops further notices", async () => {
          const carlUnsub = linkIn(notice, 'unsubscribe');
          assert.equal((await fetch(carlUnsub, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) })).status, 200);
          const fourth = await addUpdate(inc.id, 'Post-incident note.', true, 'resolved');
          assert.deepEqual(await activities.notifyStatusSubscribers({ incidentId: inc.id, updateId: fourth }), { sent: 0 });
        });

        it('re-subscribing an unsubscribed address sends a new confirmation with a new token; the old token is dead', async () => {
          const ursulaBefore = mailTo('ursula@example.test').length;
          assert.equal((await subscribe('ursula@example.test')).status, 202);
          const again = await eventually(async () => mailTo('ursula@example.test').length > ursulaBefore && mailTo('ursula@example.test').at(-1), 10_000, 'the second confirmation');
          assert.notEqual(linkIn(again, 'confirm'), linkIn(ursulaMail, 'confirm'));
          assert.equal((await fetch(linkIn(ursulaMail, 'unsubscribe'))).status, 404, 'the old token is dead');
          assert.equal((await fetch(linkIn(again, 'confirm'))).status, 200);
        });
      });

      it('answers 503 email_not_configured when outbound email is off', async () => {
        const app = express();
        const routes = statusRoutes({ db: db(), config: { publicUrl: PUBLIC_URL }, log: createLogger('silent') });
        app.use('/status', routes.page);
        app.use('/api/v1/status', routes.api);
        app.use(errorMiddleware(createLogger('silent')));
        const server = await new Promise<import('node:http').Server>((resolve) => {
          const s = app.listen(0, '127.0.0.1', () => resolve(s));
        });
        try {
          const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/status/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.test' }) });
          assertError({ status: res.status, body: await res.json() }, 503, 'email_not_configured');
        } finally {
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      });
    });
  });
});
