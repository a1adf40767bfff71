/**
 * No secret reaches a log line. A whole Pacer logs at debug into a capture while it runs its
 * main paths with every integration pointed at the loopback fakes: tickets and comments
 * through a created API key, a ladder step that pages PagerDuty, opens a Jira issue, posts to
 * Slack, mails through an SMTP server that wants a password and fans out to a signed webhook
 * (each integration failing once first, so error paths log too), inbound PagerDuty, Jira and
 * Slack webhooks (genuine and forged), sign-in and a failed sign-in, a session cookie, and a
 * request that fails with a 500. Then every captured line is searched for each secret, as
 * given and in its base64 and URL-encoded forms.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { DefaultLogger } from '@temporalio/worker';
import { SMTPServer } from 'smtp-server';
import Typesense from 'typesense';
import type { IntegrationConfig } from '../../src/integrations/config';
import { createLogger, sdkLogFunction } from '../../src/core/logger';
import { ACKNOWLEDGE_ACTION } from '../../src/integrations/slack/escalation-blocks';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startJiraCloudFake, type JiraCloudFake } from '../support/fakes/jira-cloud-server';
import { startPagerDutyEventsFake, type PagerDutyEventsFake } from '../support/fakes/pagerduty-events-server';
import { deliverPagerDutyWebhook, incidentEvent } from '../support/fakes/pagerduty-webhook-signer';
import { sendBlockAction, type SlackUser } from '../support/fakes/slack-interactivity';
import { startSlackWebApiFake, type FakeMessage, type SlackWebApiFake } from '../support/fakes/slack-web-api';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { assertError, bodyOf, createCalendar, createOrg, eventually, type Organization } from './api-helpers';
import { apiKeyCreatedResponse, ticketResponse } from '../../src/http/api/openapi/responses';

const hex = (n: number) => crypto.randomBytes(n).toString('hex');

/** An SMTP server that takes mail only after AUTH with this user and password; it refuses the first AUTH all the same. */
async function startAuthSmtp(user: string, password: string): Promise<{ port: number; received: number; close(): Promise<void> }> {
  const state = { received: 0, auths: 0 };
  const server = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      state.auths += 1;
      if (state.auths > 1 && auth.username === user && auth.password === password) return callback(null, { user });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        state.received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    get received() {
      return state.received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sign-in through the login form; answers the status and the Set-Cookie headers. */
async function signIn(baseUrl: string, email: string, password: string): Promise<{ status: number; cookies: string[] }> {
  const form = await fetch(`${baseUrl}/login`);
  const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('pacer_login_csrf='))!;
  const token = decodeURIComponent(csrfCookie.split(';')[0]!.split('=')[1]!);
  await form.text();
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `pacer_login_csrf=${token}` },
    body: new URLSearchParams({ email, password, _csrf: token }).toString(),
  });
  await res.text();
  return { status: res.status, cookies: res.headers.getSetCookie() };
}

/** Everything this process writes to stdout and stderr from now on (the Temporal SDK's own lines among them), until stopped. */
function captureOutput(into: string[]): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((s, i) => {
    s.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (originals[i] as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof s.write;
  });
  return () => streams.forEach((s, i) => (s.write = originals[i] as typeof s.write));
}

describe('logs: no secret reaches a log line', function () {
  this.timeout(120_000);
  /** Pacer's own log lines (its pino logger, at debug). */
  const lines: string[] = [];
  /** What the process printed meanwhile: the Temporal SDK's worker lines (activity failures). */
  const printed: string[] = [];
  let stopCapture: (() => void) | undefined;
  let h: PacerHarness;
  let pd: PagerDutyEventsFake;
  let jira: JiraCloudFake;
  let slack: SlackWebApiFake;
  let smtp: Awaited<ReturnType<typeof startAuthSmtp>>;
  let receiver: WebhookReceiver;
  /** Every secret by name; each is searched as given, base64 and URL-encoded. */
  const secrets: Record<string, string> = {};

  before(async function () {
    this.timeout(120_000);
    // A slash, an @ and a colon, so the password needs URL encoding in PACER_SMTP_URL.
    secrets.smtpPassword = `pw/${hex(8)}@x:${hex(4)}`;
    smtp = await startAuthSmtp('pacer-mailer', secrets.smtpPassword);
    pd = await startPagerDutyEventsFake();
    jira = await startJiraCloudFake({ email: 'pacer-bot@example.com', apiToken: `jira-token-${hex(12)}` });
    slack = await startSlackWebApiFake({ channels: [{ id: 'C0SECRET01', name: 'escalations' }], token: `xoxb-${crypto.randomInt(1e9)}-${crypto.randomInt(1e9)}-${hex(12)}` });
    receiver = await startWebhookReceiver();
    Object.assign(secrets, {
      pagerdutyRoutingKey: hex(16),
      pagerdutyWebhookSecret: `pd-whsec-${hex(12)}`,
      jiraApiToken: jira.apiToken,
      jiraBasicAuth: Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64'),
      jiraWebhookSecret: `jira-whsec-${hex(12)}`,
      slackBotToken: slack.token,
      slackSigningSecret: hex(16),
      webhookSigningSecret: `whsec-${hex(16)}`,
      userPassword: `correct horse ${hex(6)}`,
      wrongPassword: `wrong battery ${hex(6)}`,
    });
    const integrations: IntegrationConfig = {
      publicUrl: 'https://pacer.example.test',
      pagerduty: { routingKey: secrets.pagerdutyRoutingKey!, eventsHost: pd.host, webhookSecret: secrets.pagerdutyWebhookSecret, ca: pd.ca },
      pagerdutyWebhookSecret: secrets.pagerdutyWebhookSecret,
      jira: { url: jira.url, email: jira.email, apiToken: jira.apiToken, project: jira.project, webhookSecret: secrets.jiraWebhookSecret },
      slack: { botToken: slack.token, signingSecret: secrets.slackSigningSecret!, apiUrl: slack.url, channel: 'C0SECRET01', agents: { U0ALICE01: 'alice.agent' } },
      email: { smtpUrl: `smtp://pacer-mailer:${encodeURIComponent(secrets.smtpPassword)}@127.0.0.1:${smtp.port}`, from: 'Pacer <pacer@example.test>', roleEmails: { manager: 'manager@example.test' } },
      allowPrivateWebhooks: true,
    };
    h = await startHarness({ integrations, log: { level: 'debug', destination: { write: (line: string) => void lines.push(line) } } });
    secrets.adminApiKey = h.adminKey;
    stopCapture = captureOutput(printed);
  });
  after(async () => {
    stopCapture?.();
    await h?.close();
    await Promise.all([pd?.close(), jira?.close(), slack?.close(), smtp?.close(), receiver?.close()]);
  });

  describe('the main paths, each outside service failing its first call', () => {
    let org: Organization;
    let id: string;
    let message: FakeMessage;

    it('an admin sets up a ladder that reaches every integration, a signed webhook and an agent key', async () => {
      const calendar = await createCalendar(h, 'always open (secrets)');
      const ladder = [{ percent: 5, actions: [{ type: 'page' }, { type: 'jira' }, { type: 'slack' }, { type: 'email', role: 'manager' }, { type: 'webhook' }] }];
      const policy = await h.api('/api/v1/sla-policies', { body: { name: 'starter urgent (secrets)', tier: 'starter', priority: 'urgent', calendarId: calendar.id, firstResponseMinutes: 1, resolutionMinutes: 600, escalations: ladder } });
      assert.equal(policy.status, 201, JSON.stringify(policy.body));
      org = await createOrg(h, 'starter');

      const hook = await h.api('/api/v1/webhooks', { body: { url: receiver.url, eventTypes: ['*'], secret: secrets.webhookSigningSecret } });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const key = await h.api('/api/v1/api-keys', { body: { name: 'agent key (secrets)', role: 'agent' } });
      assert.equal(key.status, 201, JSON.stringify(key.body));
      secrets.createdApiKey = bodyOf(key, apiKeyCreatedResponse, 201).key;
    });

    it('a ticket opened with that key pages, opens a Jira issue, posts to Slack, mails and calls the webhook, each after a failure', async () => {
      // Each outside service fails its first call, so the retries and their error paths run too.
      pd.failNext(500);
      jira.failNext([500, 500, 500, 500, 500]);
      slack.failNext('chat.postMessage', 500, 'drop');
      receiver.failNext(1);
      const ticket = await h.api('/api/v1/tickets', { key: secrets.createdApiKey, body: { subject: 'Checkout is down', description: 'Nobody can pay.', priority: 'urgent', organizationId: org.id, requester: { email: 'ann@example.test' } } });
      assert.equal(ticket.status, 201, JSON.stringify(ticket.body));
      id = bodyOf(ticket, ticketResponse, 201).id as string;

      await pd.waitFor(() => pd.accepted('trigger').length > 0, 30_000, 'the page');
      await jira.waitFor(() => jira.issues.length > 0, 30_000, 'the Jira issue');
      message = await slack.waitFor(() => slack.messages[0], 30_000, 'the Slack post');
      await eventually(async () => smtp.received > 0, 30_000, 'the mail through the authenticated SMTP server');
      await receiver.waitFor((rs) => rs.some((r) => r.status < 300), 30_000, 'a signed webhook delivery');
    });

    it('the agent answers with that key', async () => {
      assert.equal((await h.api(`/api/v1/tickets/${id}/comments`, { key: secrets.createdApiKey, body: { body: 'Looking into it.', public: true } })).status, 201);
    });

    it('inbound: a genuine and a forged PagerDuty webhook, a Jira webhook with its secret in the URL, a Slack click', async () => {
      const alert = pd.alerts[0]!;
      assert.equal((await deliverPagerDutyWebhook(`${h.baseUrl}/api/v1/integrations/pagerduty/webhook`, { body: incidentEvent('incident.acknowledged', alert), secrets: [secrets.pagerdutyWebhookSecret!] })).status, 200);
      assert.equal((await deliverPagerDutyWebhook(`${h.baseUrl}/api/v1/integrations/pagerduty/webhook`, { body: incidentEvent('incident.acknowledged', alert), secrets: ['not-the-secret'] })).status, 401);
      const jiraHook = await fetch(`${h.baseUrl}/api/v1/integrations/jira/webhook?secret=${encodeURIComponent(secrets.jiraWebhookSecret!)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"webhookEvent":' });
      assert.ok(jiraHook.status >= 400 && jiraHook.status < 500, `a broken Jira delivery is refused: ${jiraHook.status}`);
      const alice: SlackUser = { id: 'U0ALICE01', username: 'alice', team_id: slack.teamId };
      const click = await sendBlockAction({ url: `${h.baseUrl}/api/v1/integrations/slack/actions`, signingSecret: secrets.slackSigningSecret!, user: alice, channel: { id: 'C0SECRET01', name: 'escalations' }, message, actionId: ACKNOWLEDGE_ACTION, responseUrlBase: slack.url.replace(/\/api\/$/, '') });
      assert.equal(click.status, 200, click.text);
    });

    it('people: a user signs in after one wrong password and the session cookie reads the API; a wrong key is refused', async () => {
      const user = await h.api('/api/v1/users', { body: { email: 'dana@example.test', name: 'Dana', role: 'agent', password: secrets.userPassword } });
      assert.equal(user.status, 201, JSON.stringify(user.body));
      assert.equal((await signIn(h.baseUrl, 'dana@example.test', secrets.wrongPassword!)).status, 401);
      const good = await signIn(h.baseUrl, 'dana@example.test', secrets.userPassword!);
      assert.equal(good.status, 303);
      const session = good.cookies.find((c) => c.startsWith('pacer_session='))!;
      secrets.sessionToken = decodeURIComponent(session.split(';')[0]!.split('=')[1]!);
      assert.equal((await h.api('/api/v1/tickets', { key: null, headers: { cookie: `pacer_session=${secrets.sessionToken}` } })).status, 200);
      assertError(await h.api('/api/v1/tickets', { key: `${secrets.createdApiKey}x` }), 401, 'unauthenticated');
    });

    it('a request that fails inside (its table gone for a moment) is logged as an error', async () => {
      await h.database.db.schema.alterTable('organizations').renameTo('organizations_away').execute();
      try {
        assertError(await h.api('/api/v1/organizations', { key: secrets.createdApiKey }), 500, 'internal');
      } finally {
        await h.database.db.schema.alterTable('organizations_away').renameTo('organizations').execute();
      }
      assert.ok(lines.some((l) => l.includes('"level":50')), 'the failure was logged as an error');
    });
  });

  describe('afterwards', () => {
    it('wrote no secret, in any encoding, to any log line', () => {
      stopCapture?.();
      assert.ok(lines.length > 20, `only ${lines.length} lines captured`);
      assert.ok(printed.some((l) => l.includes('Activity failed')), 'the SDK reported the failed activities');
      const forms = (s: string) => [...new Set([s, encodeURIComponent(s), Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), JSON.stringify(s).slice(1, -1)])];
      const leaks: string[] = [];
      for (const [name, secret] of Object.entries(secrets)) {
        for (const form of forms(secret)) {
          const line = [...lines, ...printed].find((l) => l.includes(form));
          if (line) leaks.push(`${name} (${form === secret ? 'as given' : form}) in: ${line.slice(0, 600)}`);
        }
      }
      assert.deepEqual(leaks, []);
    });
  });
});

describe('logs: the logger scrubs what a code path lets through', () => {
  const capture = (env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    return { out, log: createLogger('debug', { env, destination: { write: (line: string) => void out.push(line) } }) };
  };
  const token = `xoxb-${crypto.randomInt(1e9)}-${crypto.randomInt(1e9)}-${hex(12)}`;
  const typesenseKey = `ts-${hex(16)}`;

  /**
   * What an axios-based client raises when nobody answers: Typesense's (the search engine's
   * client) rethrows the AxiosError, its request config and API-key header included. Pacer's
   * Jira and Slack clients are fetch-based and carry no request in their errors.
   */
  async function axiosError(): Promise<unknown> {
    const client = new Typesense.Client({ nodes: [{ host: '127.0.0.1', port: 9, protocol: 'http' }], apiKey: typesenseKey, numRetries: 0, connectionTimeoutSeconds: 1, logLevel: 'silent' });
    return client.collections().retrieve().then(
      () => assert.fail('nothing listens on port 9'),
      (err: unknown) => err,
    );
  }

  it("drops an HTTP client's request (and its API-key header) from a logged error", async () => {
    const err = await axiosError();
    assert.ok(inspect(err, { depth: 8 }).includes(typesenseKey), 'the raw error carries the key (else this proves nothing)');
    const { out, log } = capture();
    log.error({ err }, 'search unreachable');
    assert.equal(out.length, 1);
    assert.ok(!out[0]!.includes(typesenseKey), out[0]);
    assert.match(out[0]!, /search unreachable/);
  });

  it('routes the Temporal SDK lines through the same rules', async () => {
    const err = await axiosError();
    const { out, log } = capture();
    new DefaultLogger('WARN', sdkLogFunction(log)).warn('Activity failed', { activityType: 'runLadderAction', error: err });
    assert.equal(out.length, 1);
    assert.ok(!out[0]!.includes(typesenseKey), out[0]);
    assert.match(out[0]!, /"component":"temporal-sdk".*"activityType":"runLadderAction"/);
  });

  it('censors authorization and cookie headers and secret fields', () => {
    const { out, log } = capture();
    const key = `pk_${hex(16)}`;
    log.info({ req: { headers: { authorization: `Bearer ${key}`, cookie: `pacer_session=${hex(16)}` } }, password: 'hunter2hunter2', nested: { apiToken: key } }, 'request');
    assert.ok(!out[0]!.includes(key) && !out[0]!.includes('hunter2') && !out[0]!.includes('pacer_session='), out[0]);
  });

  it('takes passwords out of URLs and credentials out of text', () => {
    const { out, log } = capture();
    const password = `pw-${hex(8)}`;
    const basic = Buffer.from(`bot@example.com:${password}`).toString('base64');
    log.warn({ reason: `connect failed: smtp://mailer:${password}@mail.example.test:587`, header: `Authorization: Basic ${basic}`, slack: `token ${token}` }, 'mail failed');
    assert.ok(!out[0]!.includes(password) && !out[0]!.includes(basic) && !out[0]!.includes(token), out[0]);
    assert.match(out[0]!, /smtp:\/\/mailer:\[redacted\]@mail\.example\.test:587/);
  });

  it('blanks every secret the environment names, as given, URL-encoded and base64', () => {
    const env = { PACER_JIRA_API_TOKEN: `jira-${hex(10)}`, PACER_PAGERDUTY_ROUTING_KEY: hex(16), PACER_SMTP_URL: `smtp://mailer:${encodeURIComponent(`p@ss/${hex(6)}`)}@mail.example.test` };
    const password = decodeURIComponent(new URL(env.PACER_SMTP_URL).password);
    const { out, log } = capture(env);
    const said = [env.PACER_JIRA_API_TOKEN, encodeURIComponent(password), Buffer.from(env.PACER_PAGERDUTY_ROUTING_KEY).toString('base64'), password];
    log.info({ text: said.join(' | ') }, 'said every secret');
    for (const s of said) assert.ok(!out[0]!.includes(s), `${s} in ${out[0]}`);
  });
});
