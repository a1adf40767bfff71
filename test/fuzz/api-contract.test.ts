/**
 * The API as a contract: the OpenAPI document (generated from the routes' own zod schemas)
 * lists exactly the routes express has, is served without a key with a reference page
 * that loads nothing from outside, and holds up under schemathesis on a live stack
 * (real PostgreSQL, the Temporal dev server, a worker), once with an admin key and once
 * with a customer key: no 5xx, every status, content type and body as documented (every
 * 4xx in the one error shape). PACER_FUZZ_EXAMPLES raises the examples per operation
 * (default 8) for a long run; PACER_FUZZ_SEED picks another seed (`random` for a fresh one).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createPacerApp } from '../../src/app/http-app';
import { buildOpenApiDocument, documentOperation, mountedOperations, openApiPath } from '../../src/http/api/openapi/document';
import type { IntegrationConfig } from '../../src/integrations/config';
import { createLogger } from '../../src/core/logger';
import { z } from 'zod';
import { bodyOf, createKey, createOrg, createTicket } from '../api/api-helpers';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { expressRoutes } from './express-routes';
import { runSchemathesis, type FuzzRun } from './schemathesis';

/** The parts of the served OpenAPI document this spec reads (the rest it compares whole). */
const documentParts = z.object({
  openapi: z.string(),
  components: z.object({
    securitySchemes: z.object({ bearer: z.object({ description: z.string() }) }),
    schemas: z.object({ Error: z.object({ properties: z.object({ error: z.object({ properties: z.record(z.string(), z.unknown()) }) }) }) }),
  }),
  paths: z.object({
    '/tickets': z.object({ post: z.object({ requestBody: z.object({ content: z.object({ 'application/json': z.object({ schema: z.object({ additionalProperties: z.boolean(), required: z.array(z.string()) }) }) }) }) }) }),
  }),
});

const EXAMPLES = Number(process.env.PACER_FUZZ_EXAMPLES ?? 8);
// A fixed seed keeps `npm test` repeatable; PACER_FUZZ_SEED=random (or a number) explores further.
const SEED = process.env.PACER_FUZZ_SEED === 'random' ? crypto.randomInt(1, 2 ** 31) : Number(process.env.PACER_FUZZ_SEED ?? 20261201);
const ROOT = path.resolve(__dirname, '..', '..');

/** Under /api/v1 but not the client API: signed deliveries in the vendors' own formats, and the page for people. */
const NOT_IN_DOCUMENT = [/^\/api\/v1\/integrations\//, /^\/api\/v1\/docs$/];

const EVERY_INTEGRATION: IntegrationConfig = {
  publicUrl: 'http://127.0.0.1:9',
  pagerdutyWebhookSecret: 'pd-webhook-secret',
  jira: { url: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'token', project: 'SUP', webhookSecret: 'jira-webhook-secret' },
  slack: { botToken: 'xoxb-test', signingSecret: 'slack-signing-secret', apiUrl: 'http://127.0.0.1:9/api/', channel: 'C0', agents: {} },
};

describe('API contract: OpenAPI document and schemathesis fuzzing', function () {
  this.timeout(60_000);
  let h: PacerHarness;

  let smtp: SmtpCapture;
  let integrations: IntegrationConfig;

  before(async function () {
    this.timeout(120_000);
    // Mail goes to a loopback capture, so status subscriptions work instead of answering 503.
    smtp = await startSmtpCapture();
    integrations = { publicUrl: 'http://127.0.0.1:9', email: { smtpUrl: smtp.url, from: 'status@pacer.test', roleEmails: {} } };
    h = await startHarness({
      integrations,
      // The fuzzer subscribes made-up hosts to webhooks; what the API answers is under test here, not deliveries.
      activities: { deliverWebhook: async () => ({ status: 204, skipped: false }) },
    });
  });
  after(async () => {
    await h?.close();
    await smtp?.close();
  });

  /** "get /api/v1/tickets/{id}" for each route express has under /api/v1, and for each document entry. */
  const routesOf = (integrations: IntegrationConfig | undefined) => {
    const { app } = createPacerApp({ db: h.database.db, temporal: h.client, taskQueue: h.taskQueue, adminApiKey: h.adminKey, log: createLogger('warn'), integrations });
    const actual = expressRoutes(app)
      .filter((r) => r.path.startsWith('/api/v1/') && !NOT_IN_DOCUMENT.some((re) => re.test(r.path)))
      .map((r) => `${r.method} ${openApiPath(r.path)}`);
    const documented = [...mountedOperations(integrations), documentOperation].map((op) => `${op.method} ${openApiPath('/api/v1' + op.path)}`);
    return { actual: [...new Set(actual)].sort(), documented: documented.sort() };
  };

  describe('the document', () => {
    it('has an entry for every route under /api/v1 and a route for every entry, with every integration mounted', () => {
      const { actual, documented } = routesOf(EVERY_INTEGRATION);
      assert.deepEqual(actual.filter((r) => !documented.includes(r)), [], 'routes missing from the document');
      assert.deepEqual(documented.filter((r) => !actual.includes(r)), [], 'document entries without a route');
    });

    it('leaves out the routes of integrations that are not configured', () => {
      const { actual, documented } = routesOf(undefined);
      assert.deepEqual(documented, actual);
      assert.ok(!documented.includes('post /api/v1/tickets/{id}/jira'));
    });

    it('is served without a key as OpenAPI 3.1, with the bearer scheme and the one error shape', async () => {
      const res = await h.api('/api/v1/openapi.json', { key: null });
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const doc = bodyOf(res, documentParts);
      assert.equal(doc.openapi, '3.1.0');
      assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: doc.components.securitySchemes.bearer.description });
      assert.deepEqual(Object.keys(doc.components.schemas.Error.properties.error.properties), ['code', 'message', 'details']);
      assert.deepEqual(doc, JSON.parse(JSON.stringify(buildOpenApiDocument(integrations))));
      // The request schema is the route's: a strict object naming the route's fields.
      const create = doc.paths['/tickets'].post.requestBody.content['application/json'].schema;
      assert.equal(create.additionalProperties, false);
      assert.deepEqual(create.required, ['subject', 'requester']);
    });

    it('has a reference page whose scripts and styles all come from this server', async () => {
      const page = await fetch(`${h.baseUrl}/api/v1/docs`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.doesNotMatch(html, /https?:\/\//, 'the page links nothing outside');
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(assets.length >= 3, html);
      for (const a of assets) {
        const res = await fetch(new URL(a, `${h.baseUrl}/api/v1/docs`));
        assert.equal(res.status, 200, a);
        assert.doesNotMatch(await res.text(), /fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com/, `${a} loads from outside`);
      }
    });
  });

  describe('fuzzed by schemathesis', function () {
    // Bounded by examples per operation; the default keeps each run to a few minutes.
    this.timeout(20 * 60_000);
    let organizationId: string;

    before(async function () {
      this.timeout(60_000);
      const org = await createOrg(h, 'enterprise');
      organizationId = org.id;
      // Something to find for the reads, besides what the fuzzer creates.
      await createTicket(h, { subject: 'Invoices missing', priority: 'high', organizationId: org.id });
    });

    const fuzz = async (key: string, label: string, phases: string[]): Promise<FuzzRun> => {
      const run = await runSchemathesis({ documentUrl: `${h.baseUrl}/api/v1/openapi.json`, baseUrl: `${h.baseUrl}/api/v1`, key, maxExamples: EXAMPLES, seed: SEED, phases, timeoutMs: 18 * 60_000 });
      // The whole report (warnings, every failure with its curl) stays in test-output/ for a look afterwards.
      const report = path.join(ROOT, 'test-output', `schemathesis-${label.replace(/\W+/g, '-')}.txt`);
      fs.mkdirSync(path.dirname(report), { recursive: true });
      fs.writeFileSync(report, run.output);
      console.log(`      schemathesis (${label}, seed ${SEED}, ${EXAMPLES} examples per operation; full report in ${path.relative(ROOT, report)}):\n${run.summary.replace(/^/gm, '        ')}`);
      return run;
    };
    const explain = (run: FuzzRun) => `schemathesis exited ${run.exitCode}; failing: ${run.failedCases.join(', ')}\n${run.output.slice(-20_000)}`;

    it('with an admin key: no server error, and every answer as the document says', async () => {
      const run = await fuzz(h.adminKey, 'admin key', ['examples', 'coverage', 'fuzzing', 'stateful']);
      assert.equal(run.exitCode, 0, explain(run));
    });

    it('with a customer key: no server error, and every answer (mostly 403 and 404) as the document says', async () => {
      // Most of what a customer sends is refused before its body is read: boundary values (the coverage phase) add little here.
      // Made after the admin run, whose stateful phase may revoke every key it can list.
      const customerKey = (await createKey(h, 'customer', organizationId)).key;
      const run = await fuzz(customerKey, 'customer key', ['fuzzing', 'stateful']);
      assert.equal(run.exitCode, 0, explain(run));
      // The run exercised a live customer, not a key the API refused throughout.
      assert.equal((await h.api('/api/v1/tickets', { key: customerKey })).status, 200);
    });
  });
});
