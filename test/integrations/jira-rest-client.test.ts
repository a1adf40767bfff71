/**
 * Pacer's Jira client (jira.js 6 underneath) against the loopback Jira Cloud REST v3 fake,
 * without the rest of Pacer: basic auth, ADF bodies on the v3 routes, the fake's refusals
 * (401, 400 naming fields, non-ADF bodies), search by label with an indexing lag, comment
 * markers, transitions, and which failures the client retries itself. A few seconds.
 */
import assert from 'node:assert/strict';
import { doc, paragraph } from '../../src/integrations/jira/adf';
import { createJiraApi, JiraOutcomeUnknown, JiraRejected, type JiraApi } from '../../src/integrations/jira/jira-api';
import { adfText } from '../support/fakes/jira-adf-rules';
import { jiraErrorBody, sentBody, startJiraCloudFake, type JiraCloudFake } from '../support/fakes/jira-cloud-server';
import type { transitionsView } from '../support/fakes/jira-issue-model';

const issue = (label: string) => ({ issueType: 'Task', summary: `[TKT-1] ${label}`, description: doc(paragraph('Checkout is down')), labels: ['pacer', label] });

describe('Jira client against the REST v3 fake', () => {
  let fake: JiraCloudFake;
  let api: JiraApi;

  before(async () => {
    fake = await startJiraCloudFake({ apiToken: 'secret-token' });
    api = createJiraApi({ url: fake.url, email: fake.email, apiToken: fake.apiToken, project: fake.project }, { baseDelayMs: 50 });
  });
  after(async () => fake?.close());

  it('creates an issue over /rest/api/3 with basic auth and an ADF description; a wrong token gets 401', async () => {
    const created = await api.createIssue(issue('pacer-a'));
    assert.match(created.key, /^PACER-\d+$/);
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.path, '/rest/api/3/issue');
    assert.equal(sent.status, 201);
    assert.equal(sent.headers.authorization, `Basic ${Buffer.from(`${fake.email}:secret-token`).toString('base64')}`);
    assert.deepEqual(fake.issue(created.key)!.labels, ['pacer', 'pacer-a']);
    assert.equal(adfText(fake.issue(created.key)!.description).trim(), 'Checkout is down');
    assert.equal(api.browseUrl(created.key), `${fake.url}/browse/${created.key}`);

    const intruder = createJiraApi({ url: fake.url, email: fake.email, apiToken: 'wrong', project: 'PACER' });
    await assert.rejects(intruder.findByLabel('pacer-a'), (e: unknown) => e instanceof JiraRejected && e.status === 401 && Array.isArray(jiraErrorBody(e.errors).errorMessages));
    const anonymous = await fetch(`${fake.url}/rest/api/3/search/jql?jql=labels%3Dx`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(Object.keys((await anonymous.json()) as object).sort(), ['errorMessages', 'errors']);
  });

  it('refuses missing fields, an unknown issue type and a description that is not ADF with 400 naming them', async () => {
    await assert.rejects(api.createIssue({ ...issue('pacer-b'), summary: '' }), (e: unknown) => e instanceof JiraRejected && e.status === 400 && jiraErrorBody(e.errors).errors.summary !== undefined);
    await assert.rejects(api.createIssue({ ...issue('pacer-b'), issueType: 'Saga' }), (e: unknown) => e instanceof JiraRejected && /valid issue type/.test(String(jiraErrorBody(e.errors).errors.issuetype)));
    await assert.rejects(api.createIssue({ ...issue('pacer-b'), description: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] } }), (e: unknown) => e instanceof JiraRejected && jiraErrorBody(e.errors).errors.description !== undefined);
    const raw = await fetch(`${fake.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${fake.email}:secret-token`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { project: { key: 'PACER' } } }),
    });
    assert.equal(raw.status, 400);
    const body = jiraErrorBody(await raw.json());
    assert.deepEqual(Object.keys(body.errors).sort(), ['issuetype', 'summary']);
    assert.equal(fake.withLabel('pacer-b').length, 0, 'nothing created');
  });

  it('finds issues by label once search has indexed them', async () => {
    fake.setIndexLag(800);
    const created = await api.createIssue(issue('pacer-lagging'));
    assert.deepEqual(await api.findByLabel('pacer-lagging'), [], 'not searchable yet');
    await new Promise((r) => setTimeout(r, 900));
    assert.deepEqual(await api.findByLabel('pacer-lagging'), [{ id: fake.issue(created.key)!.id, key: created.key }]);
    fake.setIndexLag(0);
    const search = fake.requests.filter((r) => r.path === '/rest/api/3/search/jql').at(-1)!;
    assert.equal(search.method, 'POST');
    assert.equal(sentBody(search).jql, 'labels = "pacer-lagging" ORDER BY created ASC');
  });

  it('adds ADF comments with a marker property it can find again; refuses a body that is not ADF and an unknown issue', async () => {
    const { key } = await api.createIssue(issue('pacer-c'));
    assert.equal(await api.hasMarkedComment(key, 'm-1'), false);
    await api.addComment(key, doc(paragraph('Still down')), 'm-1');
    assert.equal(await api.hasMarkedComment(key, 'm-1'), true);
    assert.equal(await api.hasMarkedComment(key, 'm-2'), false);
    assert.equal(adfText(fake.issue(key)!.comments[0]!.body).trim(), 'Still down');
    await assert.rejects(api.addComment(key, { type: 'doc', version: 1, content: [{ type: 'blink' }] }, 'm-3'), (e: unknown) => e instanceof JiraRejected && e.status === 400);
    await assert.rejects(api.addComment('PACER-999', doc(paragraph('x')), 'm-4'), (e: unknown) => e instanceof JiraRejected && e.status === 404);
  });

  it('lists transitions and records a move to Done in the changelog', async () => {
    const { key } = await api.createIssue(issue('pacer-d'));
    const auth = { authorization: `Basic ${Buffer.from(`${fake.email}:secret-token`).toString('base64')}`, 'content-type': 'application/json' };
    const list = (await (await fetch(`${fake.url}/rest/api/3/issue/${key}/transitions`, { headers: auth })).json()) as { transitions: ReturnType<typeof transitionsView> };
    const done = list.transitions.find((t) => t.to.statusCategory.key === 'done');
    assert.ok(done, 'a transition to a done status');
    const move = await fetch(`${fake.url}/rest/api/3/issue/${key}/transitions`, { method: 'POST', headers: auth, body: JSON.stringify({ transition: { id: done.id } }) });
    assert.equal(move.status, 204);
    assert.equal(fake.issue(key)!.changelog.at(-1)!.items[0]!.toString, 'Done');
    const bad = await fetch(`${fake.url}/rest/api/3/issue/${key}/transitions`, { method: 'POST', headers: auth, body: JSON.stringify({ transition: { id: '99' } }) });
    assert.equal(bad.status, 400);
  });

  it('waits out a 429 (Retry-After) on any call and retries 5xx on reads, but not on a create', async () => {
    fake.failNext(429, { path: '/rest/api/3/issue' });
    const started = Date.now();
    const { key } = await api.createIssue(issue('pacer-e'));
    assert.ok(Date.now() - started >= 900, 'honoured Retry-After: 1');
    assert.deepEqual(fake.requests.filter((r) => r.path === '/rest/api/3/issue').slice(-2).map((r) => r.status), [429, 201]);

    fake.failNext([500, 503], { path: '/rest/api/3/search/jql' });
    assert.deepEqual((await api.findByLabel('pacer-e')).map((i) => i.key), [key]);
    assert.deepEqual(fake.requests.filter((r) => r.path === '/rest/api/3/search/jql').slice(-3).map((r) => r.status), [500, 503, 200]);

    fake.failNext(500, { path: '/rest/api/3/issue' });
    await assert.rejects(api.createIssue(issue('pacer-f')), (e: unknown) => e instanceof Error && !(e instanceof JiraRejected) && /unavailable/.test(e.message));
    fake.failNext('drop', { path: '/rest/api/3/issue' });
    await assert.rejects(api.createIssue(issue('pacer-f')), (e: unknown) => e instanceof JiraOutcomeUnknown);
    assert.equal(fake.withLabel('pacer-f').length, 1, 'the dropped create took effect; the 500 did not');
  });
});
