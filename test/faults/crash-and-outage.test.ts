/**
 * The fault suite: tickets climb minute-scale ladders (page, Slack, Jira, email, webhooks)
 * while the worker process is SIGKILLed mid-ladder, the Temporal dev server is SIGKILLed and
 * restarted on its SQLite file, and PostgreSQL is stopped and started while the API is being
 * called and mail arrives by SMTP. Then every ladder step must be recorded exactly once, every
 * webhook event delivered at least once, every outside effect happen exactly once, and every
 * mail answered 250 be a ticket. PACER_FAULT_ROUNDS=n repeats the round of faults n times
 * (each with its own tickets); the default is one bounded round of a few minutes.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import { alertDedupKey } from '../../src/integrations/pagerduty/alert-key';
import { ticketWorkflowId } from '../../workflows/contract/ticket';
import { z } from 'zod';
import { calendarResponse, organizationResponse, ticketResponse } from '../../src/http/api/openapi/responses';
import { bodyOf } from '../api/api-helpers';
import { ESCALATION_CHANNEL, MANAGER_EMAIL, startFaultStack, type FaultStack } from './fault-stack';

/** What a probe reads of any answer: an error's code, or /healthz's word on the database and Temporal. */
const probeAnswer = z.object({ error: z.object({ code: z.string() }).optional(), database: z.string().optional(), temporal: z.string().optional() });

const ROUNDS = Math.max(1, Number(process.env.PACER_FAULT_ROUNDS ?? 1));
const TICKETS_PER_ROUND = Number(process.env.PACER_FAULT_TICKETS ?? 20);
const WORKER_KILLS_PER_ROUND = 3;
const PG_DOWN_MS = 10_000;
const ALL_DAY = [['00:00', '24:00']];
const ALWAYS = { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY };
// A two-minute first-response clock: steps at 30 s, 60 s and the breach at 120 s.
const LADDER = [
  { percent: 25, actions: [{ type: 'page' }, { type: 'slack' }] },
  { percent: 50, actions: [{ type: 'jira' }, { type: 'email', role: 'manager' }] },
  { percent: 100, actions: [{ type: 'slack' }, { type: 'email', role: 'manager' }, { type: 'jira' }] },
];
const STEP_TYPES = ['sla.escalation', 'sla.breached'] as const;

interface Probe {
  at: number;
  end: number;
  path: string;
  status: number | 'timeout' | 'refused';
  retryAfter: string | null;
  code: string | null;
  database?: string;
  temporal?: string;
}

interface Outage {
  from: number;
  to: number;
}

interface SentMail {
  messageId: string;
  subject: string;
  refusals: number[];
  acceptedAt: number | null;
}


describe('faults: worker, Temporal and PostgreSQL crashes on real components', function () {
  this.timeout(ROUNDS * 15 * 60_000);
  let s: FaultStack;
  let orgId: string;
  const ladderTickets: Array<{ id: string; number: string }> = [];
  const probes: Probe[] = [];
  const pgOutages: Outage[] = [];
  const mails: SentMail[] = [];
  const counts = { workerKills: 0, devServerKills: 0, pgRestarts: 0, workerDownMs: 0, devServerDownMs: 0, pgDownMs: 0 };
  const devOutages: Outage[] = [];
  /** What was killed when, for failure messages. */
  const timeline: string[] = [];
  const note = (what: string) => timeline.push(`${new Date().toISOString()} ${what}`);
  let running = true;
  // New mail stops once the faults are over; what is still deferred keeps being retried.
  let mailing = true;
  let background: Promise<unknown>[] = [];
  let stepsWaitedMs = 0;

  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(s.baseUrl + path, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { authorization: `Bearer ${s.adminKey}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : null };
  };

  /** Calls the API every 250 ms for the whole run: a ticket list and a ticket (read from PostgreSQL), the ticket's live SLA (a workflow query). */
  const probeApi = async () => {
    let i = 0;
    while (running) {
      const ticket = ladderTickets[i++ % Math.max(1, ladderTickets.length)];
      for (const path of ['/api/v1/tickets?limit=5', ...(ticket ? [`/api/v1/tickets/${ticket.id}`, `/api/v1/tickets/${ticket.id}/sla`] : [])]) await probe(path);
      await sleep(250);
    }
  };
  /** /healthz on its own cadence, so a slow read never leaves an outage without a health check. */
  const probeHealth = async () => {
    while (running) {
      await probe('/healthz');
      await sleep(250);
    }
  };
  const probe = async (path: string) => {
    const at = Date.now();
    try {
      const r = await api(path);
      const seen = probeAnswer.safeParse(r.body);
      const read = seen.success ? seen.data : {};
      probes.push({ at, end: Date.now(), path, status: r.status, retryAfter: r.headers.get('retry-after'), code: read.error?.code ?? null, database: read.database, temporal: read.temporal });
    } catch (err) {
      probes.push({ at, end: Date.now(), path, status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'refused', retryAfter: null, code: null });
    }
  };

  /** A sending MTA: one new message every two seconds, each refused one retried two seconds later until accepted. */
  const sendMail = async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: s.inboundPort, secure: false, ignoreTLS: true, socketTimeout: 60_000 });
    let n = 0;
    const queue: SentMail[] = [];
    let nextNew = Date.now();
    while (running || queue.length) {
      if (running && mailing && Date.now() >= nextNew) {
        n++;
        const mail: SentMail = { messageId: `<fault-${n}-${Date.now()}@sender.example.test>`, subject: `Printer on fire #${n}`, refusals: [], acceptedAt: null };
        mails.push(mail);
        queue.push(mail);
        nextNew = Date.now() + 2_000;
      }
      const mail = queue.shift();
      if (!mail) {
        await sleep(200);
        continue;
      }
      try {
        await transport.sendMail({ from: 'someone@outside.example.test', to: 'support@pacer-faults.example.test', subject: mail.subject, text: `Message ${mail.messageId}`, messageId: mail.messageId });
        mail.acceptedAt = Date.now();
      } catch (err) {
        mail.refusals.push((err as { responseCode?: number }).responseCode ?? 0);
        queue.push(mail);
        await sleep(2_000);
      }
    }
    transport.close();
  };

  const killWorkerAt = async (roundStart: number, at: number) => {
    await sleep(Math.max(0, roundStart + at - Date.now()));
    const down = Date.now();
    await s.killWorker();
    note('worker SIGKILL');
    counts.workerKills++;
    await sleep(2_000);
    await s.startWorker();
    note('worker ready');
    counts.workerDownMs += Date.now() - down;
  };

  const createLadderTickets = async (round: number) => {
    for (let i = 0; i < TICKETS_PER_ROUND; i++) {
      const r = await api('/api/v1/tickets', {
        body: { subject: `Checkout down (round ${round}, ticket ${i})`, description: 'Customers cannot pay.', priority: 'urgent', organizationId: orgId, requester: { email: `buyer${i}@customer.example.test`, name: `Buyer ${i}` } },
      });
      const t = bodyOf(r, ticketResponse, 201);
      ladderTickets.push({ id: t.id, number: t.number });
      await sleep(400);
    }
  };

  const stepEvents = () =>
    s.db.db
      .selectFrom('ticket_events')
      .select(['id', 'ticket_id', 'type', 'data'])
      .where('type', 'in', [...STEP_TYPES])
      .where(
        'ticket_id',
        'in',
        ladderTickets.map((t) => t.id),
      )
      .execute();

  before(async function () {
    s = await startFaultStack();
    const calendar = await api('/api/v1/calendars', { body: { name: 'always open (faults)', timezone: 'UTC', weekly: ALWAYS, holidays: [] } });
    const calendarId = bodyOf(calendar, calendarResponse, 201).id;
    const policy = await api('/api/v1/sla-policies', {
      body: { name: 'starter urgent (faults)', tier: 'starter', priority: 'urgent', calendarId, firstResponseMinutes: 2, resolutionMinutes: 600, escalations: LADDER },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const org = await api('/api/v1/organizations', { body: { name: 'checkout customer (faults)', tier: 'starter' } });
    orgId = bodyOf(org, organizationResponse, 201).id;
    // Written directly: the subscription API may refuse loopback receivers, which is beside the point here.
    await s.db.db
      .insertInto('webhook_subscriptions')
      .values({ id: crypto.randomUUID(), url: s.webhooks.url, secret: 'faults-webhook-secret-0123456789', event_types: JSON.stringify([...STEP_TYPES]), active: true })
      .execute();
    await s.startWorker();

    background = [probeApi(), probeHealth(), sendMail()];
    for (let round = 1; round <= ROUNDS; round++) {
      const start = Date.now();
      const creating = createLadderTickets(round);
      // Tickets open over the first ~10 s: their 25% steps fall at 30–40 s, 50% at 60–70 s, breaches at 120–130 s.
      const kills = (async () => {
        for (const at of [33_000, 63_000, 80_000].slice(0, WORKER_KILLS_PER_ROUND)) await killWorkerAt(start, at);
      })();
      await creating;
      await kills;
      // The dev server, with the worker running: every clock lives in its SQLite file.
      await sleep(Math.max(0, start + 100_000 - Date.now()));
      let down = Date.now();
      await s.killDevServer();
      note('dev server SIGKILL');
      counts.devServerKills++;
      await sleep(8_000);
      // Dead until the restart begins; the new server answers some calls before it is declared ready.
      devOutages.push({ from: down, to: Date.now() });
      await s.restartDevServer();
      note('dev server ready');
      counts.devServerDownMs += Date.now() - down;
      // PostgreSQL while the breaches fire and the API is called: `fast` on odd rounds, a crash on even ones.
      await sleep(Math.max(0, start + 122_000 - Date.now()));
      down = Date.now();
      await s.pg.stop(round % 2 === 1 ? 'fast' : 'immediate');
      note('PostgreSQL stopped');
      await sleep(PG_DOWN_MS);
      await s.pg.start();
      note('PostgreSQL started');
      pgOutages.push({ from: down, to: Date.now() });
      counts.pgRestarts++;
      counts.pgDownMs += Date.now() - down;
    }

    await sleep(15_000);
    mailing = false;
    // Wait for the ladders to finish: every ticket's three steps, and their effects settled.
    const expected = ladderTickets.length * LADDER.length;
    const waitStart = Date.now();
    // An action that met the outage waits out its retry backoff: wait for every effect, not a fixed time.
    for (;;) {
      const e = await effects().catch(() => null);
      const settled =
        e !== null &&
        e.stepsPerSlot.size >= expected &&
        e.stepIds.every((x) => e.deliveredIds.has(x.id)) &&
        e.alerts.every((n) => n >= 1) &&
        e.issues.every((n) => n >= 1) &&
        e.posts.size >= ladderTickets.length * 2 &&
        e.managerMails.every((n) => n >= 2);
      if (settled || Date.now() - waitStart > 8 * 60_000) break;
      await sleep(1_000);
    }
    // Room for a late duplicate to show itself.
    await sleep(10_000);
    stepsWaitedMs = Date.now() - waitStart;
    running = false;
    await Promise.all(background);
  });

  after(async function () {
    running = false;
    await Promise.all(background).catch(() => undefined);
    if (s) {
      // The distinct errors behind any 500, shortened: what the API could not place as an outage.
      const failures = [...new Set(s.apiLogLines.filter((l) => l.includes('"request failed"')).map((l) => {
        const e = JSON.parse(l) as { path?: string; err?: { type?: string; message?: string; stack?: string } };
        return `${e.path?.replace(/[0-9a-f-]{36}/g, ':id')} ${e.err?.type}: ${e.err?.message} ${String(e.err?.stack ?? '').split('\n').slice(1, 4).join(' | ')}`;
      }))];
      if (failures.length) console.log(`\nAPI errors behind 500s (${failures.length} distinct):\n${failures.slice(0, 8).join('\n')}`);
      await printStuckWorkflows().catch((err) => console.log(`(workflow histories unavailable: ${(err as Error).message})`));
      await printCounts().catch((err) => console.log(`(counts unavailable: ${(err as Error).message})`));
      await s.close();
    }
  });

  const effects = async () => {
    const stepIds = await stepEvents();
    const stepsPerSlot = new Map<string, number>();
    for (const e of stepIds) {
      const d = e.data as { clock: string; cycle: number; percent: number };
      const slot = `${e.ticket_id}:${d.clock}:${d.cycle}:${d.percent}`;
      stepsPerSlot.set(slot, (stepsPerSlot.get(slot) ?? 0) + 1);
    }
    const deliveredIds = new Set(s.webhooks.accepted().map((r) => String(r.headers['pacer-event-id'])));
    const alerts = ladderTickets.map((t) => s.pagerduty.alertsFor(alertDedupKey({ ticketId: t.id, clock: 'first_response', cycle: 0 })).length);
    const triggers = ladderTickets.map((t) => s.pagerduty.accepted('trigger', alertDedupKey({ ticketId: t.id, clock: 'first_response', cycle: 0 })).length);
    const issues = ladderTickets.map((t) => s.jira.withLabel(`pacer-${t.number.toLowerCase()}`).length);
    const posts = new Map<string, number>();
    for (const m of s.slack.messagesIn(ESCALATION_CHANNEL.id)) {
      const p = m.metadata?.event_payload as { ticket_id?: string; clock?: string; percent?: number } | undefined;
      if (!p?.ticket_id) continue;
      const key = `${p.ticket_id}:${p.clock}:${p.percent}`;
      posts.set(key, (posts.get(key) ?? 0) + 1);
    }
    const mailsById = new Map<string, number>();
    for (const m of s.smtp.messages) if (m.messageId) mailsById.set(m.messageId, (mailsById.get(m.messageId) ?? 0) + 1);
    const managerMails = ladderTickets.map((t) => s.smtp.messages.filter((m) => m.envelope.rcptTo.includes(MANAGER_EMAIL) && m.subject.includes(t.number)).length);
    return { stepIds, stepsPerSlot, deliveredIds, alerts, triggers, issues, posts, mailsById, managerMails };
  };

  const printCounts = async () => {
    const e = await effects();
    const expectedSteps = ladderTickets.length * LADDER.length;
    const recorded = e.stepIds.length;
    const missingSteps = Math.max(0, expectedSteps - e.stepsPerSlot.size);
    const duplicatedSteps = [...e.stepsPerSlot.values()].reduce((n, c) => n + c - 1, 0);
    const undelivered = e.stepIds.filter((x) => !e.deliveredIds.has(x.id)).length;
    const slackExpected = ladderTickets.length * 2;
    const slackDup = [...e.posts.values()].reduce((n, c) => n + c - 1, 0);
    const mailDup = [...e.mailsById.values()].reduce((n, c) => n + c - 1, 0);
    const accepted = mails.filter((m) => m.acceptedAt !== null);
    const lostMail = await lostMails();
    const probeCount = (f: (p: Probe) => boolean) => probes.filter(f).length;
    const lines = [
      '──────── fault suite counts ────────',
      `rounds                 ${ROUNDS}`,
      `kills                  worker SIGKILL ${counts.workerKills}, Temporal dev server SIGKILL ${counts.devServerKills}, PostgreSQL restarts ${counts.pgRestarts}`,
      `downtime               worker ${(counts.workerDownMs / 1000).toFixed(1)} s, dev server ${(counts.devServerDownMs / 1000).toFixed(1)} s, PostgreSQL ${(counts.pgDownMs / 1000).toFixed(1)} s`,
      `tickets with ladders   ${ladderTickets.length} (${LADDER.length} steps each; effects settled ${(stepsWaitedMs / 1000).toFixed(0)} s after the last fault)`,
      `ladder steps           expected ${expectedSteps}, recorded ${recorded}, missing ${missingSteps}, duplicated ${duplicatedSteps}`,
      `webhook events         ${e.deliveredIds.size} distinct delivered (${s.webhooks.accepted().length} deliveries, ${s.webhooks.requests.length} requests), undelivered ${undelivered}`,
      `PagerDuty              alerts ${sum(e.alerts)} for ${ladderTickets.length} dedup keys (missing ${e.alerts.filter((n) => n === 0).length}, duplicated ${sum(e.alerts.map((n) => Math.max(0, n - 1)))}); accepted triggers ${sum(e.triggers)}`,
      `Jira issues            ${sum(e.issues)} for ${ladderTickets.length} tickets (missing ${e.issues.filter((n) => n === 0).length}, duplicated ${sum(e.issues.map((n) => Math.max(0, n - 1)))})`,
      `Slack posts            ${sum([...e.posts.values()])} for ${slackExpected} steps (missing ${Math.max(0, slackExpected - e.posts.size)}, duplicated ${slackDup})`,
      `mails out              ${s.smtp.messages.length} (${e.mailsById.size} Message-IDs, duplicated ${mailDup}); manager escalations ${sum(e.managerMails)} of ${ladderTickets.length * 2}`,
      `mails in               sent ${mails.length}, accepted ${accepted.length}, refused 4xx ${sum(mails.map((m) => m.refusals.filter((c) => c >= 400 && c < 500).length))}, refused 5xx ${sum(mails.map((m) => m.refusals.filter((c) => c >= 500).length))}, accepted but lost ${lostMail.length}`,
      `API calls              ${probes.length}: 2xx ${probeCount((p) => typeof p.status === 'number' && p.status < 300)}, 503 ${probeCount((p) => p.status === 503)} (with Retry-After ${probeCount((p) => p.status === 503 && p.retryAfter !== null)}), 500 ${probeCount((p) => p.status === 500)}, other ${probeCount((p) => typeof p.status === 'number' && p.status >= 300 && p.status !== 503 && p.status !== 500)}, no answer ${probeCount((p) => typeof p.status !== 'number')}`,
      `action.failed events   ${await actionFailures()}`,
      `workers lost           ${s.unexpectedWorkerExits.length} (exited without being killed)`,
      `stale workflow clocks  ${s.workerProblems('the workflow clock was behind').length} warnings (a task ran with a clock behind a timer that fired; workflow-clock.ts)`,
      `idle-connection warns  ${s.apiLogLines.filter((l) => l.includes('database connection was lost')).length} in the API process`,
      '────────────────────────────────────',
    ];
    console.log(`\n${lines.join('\n')}\n`);
  };

  /** For a ticket whose ladder is not complete: its workflow's status and the tail of its history, failed tasks first. */
  const printStuckWorkflows = async () => {
    const e = await effects();
    const stuck = ladderTickets.filter((t) => LADDER.some((step) => !e.stepsPerSlot.has(`${t.id}:first_response:0:${step.percent}`)));
    for (const t of stuck) {
      const handle = s.temporal.workflow.getHandle(ticketWorkflowId(t.id));
      const d = await handle.describe();
      const history = await handle.fetchHistory();
      const lines = (history.events ?? []).map((ev) => {
        const kind = Object.keys(ev).find((k) => k.endsWith('EventAttributes')) ?? '?';
        const failed = ev.workflowTaskFailedEventAttributes;
        const scheduled = ev.activityTaskScheduledEventAttributes;
        const timer = ev.timerStartedEventAttributes;
        const detail = failed ? ` cause=${failed.cause} ${failed.failure?.message ?? ''} ${String(failed.failure?.stackTrace ?? '').slice(0, 400)}` : scheduled ? ` ${scheduled.activityType?.name}` : timer ? ` ${timer.timerId}` : '';
        return `  #${ev.eventId} ${new Date(Number(ev.eventTime?.seconds ?? 0) * 1000).toISOString()} ${kind.replace('EventAttributes', '')}${detail}`;
      });
      console.log(`\nstuck ticket ${t.number} (${t.id}) workflow ${d.status.name}, ${lines.length} events; failed tasks:\n${lines.filter((l) => l.includes('workflowTaskFailed')).slice(0, 5).join('\n')}\nlast events:\n${lines.slice(-40).join('\n')}\nworker warnings and errors naming it:\n${s.workerProblems(t.id).slice(-30).join('\n')}`);
    }
  };

  const actionFailures = async () =>
    (
      await s.db.db
        .selectFrom('ticket_events')
        .select('id')
        .where('type', '=', 'action.failed')
        .where(
          'ticket_id',
          'in',
          ladderTickets.map((t) => t.id),
        )
        .execute()
    ).length;

  const lostMails = async () => {
    const accepted = mails.filter((m) => m.acceptedAt !== null);
    if (!accepted.length) return [];
    const rows = await s.db.db
      .selectFrom('email_messages as m')
      .innerJoin('tickets as t', 't.id', 'm.ticket_id')
      .select(['m.message_id', 't.subject'])
      .where('m.direction', '=', 'in')
      .where(
        'm.message_id',
        'in',
        accepted.map((m) => m.messageId),
      )
      .execute();
    const kept = new Map(rows.map((r) => [r.message_id, r.subject]));
    return accepted.filter((m) => kept.get(m.messageId) !== m.subject);
  };

  it('keeps a worker running through every outage: no worker process ends by itself', () => {
    assert.deepEqual(s.unexpectedWorkerExits, []);
  });

  it('records every ladder step exactly once through every kill and restart', async () => {
    const e = await effects();
    const expected = ladderTickets.flatMap((t) => LADDER.map((step) => `${t.id}:first_response:0:${step.percent}`));
    const missing = expected.filter((slot) => !e.stepsPerSlot.has(slot));
    const duplicated = [...e.stepsPerSlot].filter(([, n]) => n > 1).map(([slot]) => slot);
    assert.deepEqual({ missing, duplicated }, { missing: [], duplicated: [] }, s.workerOutput());
  });

  it('delivers every step event to the webhook receiver at least once', async () => {
    const e = await effects();
    assert.deepEqual(
      e.stepIds.filter((x) => !e.deliveredIds.has(x.id)).map((x) => x.id),
      [],
    );
  });

  it('opens exactly one PagerDuty alert per dedup key', async () => {
    const e = await effects();
    assert.deepEqual(e.alerts, ladderTickets.map(() => 1));
  });

  it('opens exactly one Jira issue per ticket', async () => {
    const e = await effects();
    assert.deepEqual(e.issues, ladderTickets.map(() => 1));
  });

  it('posts to Slack exactly once per step that posts', async () => {
    const e = await effects();
    const expected = ladderTickets.flatMap((t) => [`${t.id}:first_response:25`, `${t.id}:first_response:100`]).sort();
    assert.deepEqual([...e.posts.keys()].sort(), expected);
    assert.deepEqual([...e.posts.values()].filter((n) => n !== 1), []);
  });

  it('sends every mail once per Message-ID, both escalations of every ticket included', async () => {
    const e = await effects();
    const twice = [...e.mailsById].filter(([, n]) => n > 1).map(([id]) => ({ id, at: s.smtp.messages.filter((m) => m.messageId === id).map((m) => new Date(m.receivedAt).toISOString()) }));
    assert.deepEqual(twice, [], timeline.join('\n'));
    assert.deepEqual(e.managerMails, ladderTickets.map(() => 2));
  });

  it('makes a ticket of every inbound mail it accepted, and refuses with 4xx (never 5xx) what it cannot keep', async () => {
    assert.ok(mails.length > 0, 'mail was sent');
    assert.deepEqual(mails.filter((m) => m.acceptedAt === null).map((m) => m.messageId), [], 'every message was accepted in the end');
    assert.deepEqual((await lostMails()).map((m) => m.messageId), []);
    assert.deepEqual(mails.flatMap((m) => m.refusals).filter((c) => c < 400 || c >= 500), []);
  });

  it('refuses mail while PostgreSQL is down rather than accepting it', async () => {
    const acceptedDuringOutage = mails.filter((m) => m.acceptedAt !== null && pgOutages.some((o) => m.acceptedAt! > o.from + 1_000 && m.acceptedAt! < o.to));
    assert.deepEqual(acceptedDuringOutage.map((m) => m.messageId), []);
    assert.ok(mails.some((m) => m.refusals.includes(451)), 'some mail met the outage and was deferred with 451');
  });

  it('never answers 500, whatever was down', () => {
    assert.deepEqual(
      probes.filter((p) => p.status === 500),
      [],
    );
  });

  it('answers 503 unavailable with Retry-After while PostgreSQL is down', () => {
    const during = probes.filter((p) => p.path.startsWith('/api/v1/tickets?') && pgOutages.some((o) => p.at > o.from + 1_000 && p.at < o.to - 500));
    assert.ok(during.length > 0, 'the API was called during the outage');
    assert.deepEqual(
      during.filter((p) => !(p.status === 503 && p.code === 'unavailable' && p.retryAfter !== null)),
      [],
    );
  });

  it('has /healthz say the database is down during the outage, and up again after it', () => {
    const health = probes.filter((p) => p.path === '/healthz');
    for (const o of pgOutages) {
      const during = health.filter((p) => p.at > o.from + 1_000 && p.at < o.to - 500);
      assert.ok(during.length > 0 && during.every((p) => p.status === 503 && p.database === 'down' && p.retryAfter !== null), JSON.stringify(during));
      const after = health.filter((p) => p.at > o.to + 15_000 && p.at < o.to + 30_000);
      assert.ok(after.length > 0 && after.every((p) => p.status === 200 && p.database === 'up'), JSON.stringify(after));
    }
  });

  it('has /healthz say Temporal is down while the dev server is', () => {
    const health = probes.filter((p) => p.path === '/healthz');
    for (const o of devOutages) {
      // Asked and answered while it was dead (a probe still waiting when the restart began may see the new server).
      const during = health.filter((p) => p.at > o.from + 500 && p.end < o.to);
      assert.ok(during.length > 0 && during.every((p) => p.status === 503 && p.temporal === 'down'), JSON.stringify(during));
    }
  });

  it('recovers by itself: the API answers 200 again within seconds of PostgreSQL returning', () => {
    for (const o of pgOutages) {
      const firstOk = probes.find((p) => p.path.startsWith('/api/v1/tickets?') && p.at > o.to && p.status === 200);
      assert.ok(firstOk && firstOk.at - o.to < 15_000, `first 200 ${firstOk ? firstOk.at - o.to : 'never'} ms after PostgreSQL came back`);
    }
  });

  it('logs the lost idle connections as a warning, not once per connection, and survives them', () => {
    const warns = s.apiLogLines.filter((l) => l.includes('database connection was lost'));
    assert.ok(warns.length >= 1 && warns.length <= pgOutages.length * 2, `${warns.length} warnings for ${pgOutages.length} outages`);
  });
});

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
