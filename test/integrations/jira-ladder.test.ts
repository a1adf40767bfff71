/**
 * Jira end to end: ladder steps fire on the real Temporal dev server in real time and the
 * `jira` action goes through jira.js to the loopback Jira Cloud fake. Proves one issue per
 * ticket (label, ADF description with the ticket's text, link, priority and SLA state)
 * through later steps, search lag, 429/500 retries, a lost answer, a repeated or concurrent
 * action; the ticket showing the key and URL; the agent endpoint answering with the same
 * link; and public comments — not internal notes — copied when the action asked. About 40 s.
 */
import assert from 'node:assert/strict';
import { createJiraAction } from '../../src/integrations/jira/jira-action';
import type { RunActionInput } from '../../workflows/contract/records';
import { createIssueService } from '../../src/integrations/jira/issue-service';
import { createJiraApi } from '../../src/integrations/jira/jira-api';
import { jiraLinkResponse, ticketLinksResponse } from '../../src/http/api/openapi/responses';
import { bodyOf, createKey, createTicket, eventually } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import { adfLinks, adfProblems, adfText } from '../support/fakes/jira-adf-rules';
import { sentBody, type JiraCloudFake, type SentJiraBody } from '../support/fakes/jira-cloud-server';
import type { FakeIssue } from '../support/fakes/jira-issue-model';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { PUBLIC_URL, startJiraStack, type JiraStack } from '../support/fakes/jira-test-stack';
import { actionEvent, timeline as readTimeline } from '../support/timeline';


describe('Jira: the ladder action, the agent endpoint and copied comments', function () {
  this.timeout(60_000);
  let s: JiraStack;
  let h: PacerHarness;
  let fake: JiraCloudFake;
  let ladderTicket: { id: string; number: string; key: string };

  before(async function () {
    this.timeout(120_000);
    s = await startJiraStack();
    ({ h, fake } = s);
  });
  after(async () => s?.close());

  const labelOf = (number: string) => `pacer-${number.toLowerCase()}`;
  const timeline = (ticketId: string) => readTimeline(h, 'tickets', ticketId);
  const actionDone = (ticketId: string, step: string) =>
    eventually(async () => actionEvent(await timeline(ticketId), 'action.done', step), 20_000, `action.done for ${step}`);
  const creates = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue');
  const creating = (number: string) => creates().filter((r) => sentBody(r).fields?.labels?.includes(labelOf(number)));

  describe('an urgent ticket whose first steps reach Jira while its search lags behind', () => {
    let t: TicketView;
    let label: string;
    let issue: FakeIssue;
    let body: SentJiraBody;

    before(async function () {
      this.timeout(30_000);
      fake.setIndexLag(60_000);
      t = await createTicket(h, { subject: 'Checkout is down', description: 'Customers get a 500 on pay.\nSince 09:00.', priority: 'urgent', organizationId: s.ladderOrgId });
      label = labelOf(t.number);
      issue = await fake.waitFor(() => fake.withLabel(label)[0], 15_000, 'the issue');
      body = sentBody(creating(t.number)[0]!);
    });

    it('the first step opens one Task in the project, labelled for the ticket, the ticket in its summary', () => {
      assert.ok(body.fields, 'a create carries fields');
      assert.deepEqual(body.fields.project, { key: 'PACER' });
      assert.deepEqual(body.fields.issuetype, { name: 'Task' });
      assert.equal(body.fields.summary, `[${t.number}] Checkout is down`);
      assert.deepEqual(body.fields.labels, ['pacer', label]);
    });

    it('describes the ticket and the escalation in an ADF document that links back to the ticket', () => {
      assert.deepEqual(adfProblems(body.fields?.description), [], 'the description is an ADF document');
      const text = adfText(body.fields?.description);
      assert.match(text, new RegExp(`Pacer ticket ${t.number}: Checkout is down`));
      assert.match(text, /Customers get a 500 on pay\.\nSince 09:00\./);
      assert.match(text, /Priority: urgent/);
      assert.match(text, /Requester: Ann <ann@example\.com>/);
      assert.ok(text.includes(`First response: running, due ${t.sla.firstResponse.dueAt}`), text);
      assert.match(text, /Escalation: first response SLA at 5% \(at risk\)/);
      assert.deepEqual(adfLinks(body.fields?.description), [`${PUBLIC_URL}/api/v1/tickets/${t.id}`]);
    });

    it("the ticket shows the issue's key and URL, and its timeline says the step opened it", async function () {
      this.timeout(30_000);
      const url = `${fake.url}/browse/${issue.key}`;
      const links = await h.api(`/api/v1/tickets/${t.id}/links`);
      assert.equal(links.status, 200, JSON.stringify(links.body));
      assert.deepEqual(bodyOf(links, ticketLinksResponse).data.map((l) => ({ kind: l.kind, key: l.key, url: l.url })), [{ kind: 'jira', key: issue.key, url }]);
      assert.equal((await actionDone(t.id, 'first_response:0:5')).data.detail, `opened Jira issue ${issue.key} (${url})`);
    });

    it('the next step comments on the linked issue instead, though search has not indexed it', async function () {
      this.timeout(40_000);
      const url = `${fake.url}/browse/${issue.key}`;
      // 15%: the link, not search (which still lags), tells the step the issue exists.
      await fake.waitFor(() => issue.comments.length === 1, 15_000, 'the escalation comment');
      assert.match(adfText(issue.comments[0]!.body), /escalated .* again[\s\S]*first response SLA at 15% \(at risk\)/);
      assert.equal((await actionDone(t.id, 'first_response:0:15')).data.detail, `commented on Jira issue ${issue.key} (${url})`);
      assert.equal(fake.withLabel(label).length, 1, 'one issue');
      assert.equal(creating(t.number).length, 1, 'one create request');
      fake.setIndexLag(0);
      ladderTicket = { id: t.id, number: t.number, key: issue.key };
    });
  });

  describe('then retries, races, the agent endpoint and copied comments', () => {
    it('a 429 and then a 500 on the create are retried (the client waits out Retry-After, then Temporal retries) and open one issue', async function () {
      this.timeout(30_000);
      fake.failNext([429, 500], { method: 'POST', path: '/rest/api/3/issue' });
      const t = await createTicket(h, { subject: 'Flaky Jira', priority: 'high', organizationId: s.ladderOrgId });
      await actionDone(t.id, 'first_response:0:5');
      assert.deepEqual(creating(t.number).map((r) => r.status), [429, 500, 201]);
      assert.equal(fake.withLabel(labelOf(t.number)).length, 1);
    });

    it('a create whose answer is lost while the worker goes down is found by its label once search shows it, not created twice', async function () {
      this.timeout(30_000);
      // The create takes effect but its answer never arrives, and search lags behind it: the
      // retry must wait for search rather than create again.
      fake.failNext('drop', { method: 'POST', path: '/rest/api/3/issue' });
      fake.setIndexLag(4_000);
      const t = await createTicket(h, { subject: 'Lost answer', priority: 'high', organizationId: s.ladderOrgId });
      await fake.waitFor(() => creating(t.number).length === 1, 15_000, 'the first create');
      await h.stopWorker();
      await new Promise((r) => setTimeout(r, 1_000));
      await h.startWorker();
      const done = await actionDone(t.id, 'first_response:0:5');
      fake.setIndexLag(0);
      const searches = fake.requests.filter((r) => r.path === '/rest/api/3/search/jql' && sentBody(r).jql?.includes(labelOf(t.number)));
      assert.ok(searches.length >= 3, `searched before the create, then until the issue showed (${searches.length})`);
      const [issue] = fake.withLabel(labelOf(t.number));
      assert.equal(fake.withLabel(labelOf(t.number)).length, 1, 'one issue');
      assert.deepEqual(creating(t.number).map((r) => r.status), [0], 'created once, its answer dropped');
      assert.equal(done.data.detail, `linked existing Jira issue ${issue!.key} (${fake.url}/browse/${issue!.key})`);
    });

    it('the action run twice (a retried activity) opens one issue and adds no comment; two other steps at once comment once each', async () => {
      const t = await createTicket(h, { subject: 'Run me twice', priority: 'urgent', organizationId: s.quietOrgId });
      const service = createIssueService({ db: h.database.db, api: createJiraApi({ url: fake.url, email: fake.email, apiToken: fake.apiToken, project: fake.project }), publicUrl: PUBLIC_URL });
      const action = createJiraAction({ db: h.database.db, service });
      const sla = { frDueAt: null, frMetAt: null, frAtRiskAt: null, resDueAt: null, resMetAt: null, resAtRiskAt: null, resPausedSince: null };
      const input = (percent: number): RunActionInput => ({ ticketId: t.id, ticketNumber: t.number, stepId: `resolution:0:${percent}`, clock: 'resolution', percent, actionIndex: 0, action: { type: 'jira', issueType: 'Bug' }, at: new Date().toISOString(), sla });

      assert.match((await action(input(80))).detail, /^opened Jira issue/);
      assert.match((await action(input(80))).detail, /^already linked to Jira issue/);
      const [issue] = fake.withLabel(labelOf(t.number));
      assert.equal(issue!.issueType, 'Bug');
      assert.equal(issue!.comments.length, 0);

      // Two later steps due at the same moment (after downtime), each run twice.
      await Promise.all([action(input(100)), action(input(120)), action(input(100)), action(input(120))]);
      assert.equal(fake.withLabel(labelOf(t.number)).length, 1, 'still one issue');
      assert.deepEqual(issue!.comments.map((c) => /at (\d+)% \((\w+)\)/.exec(adfText(c.body))!.slice(1).join(' ')).sort(), ['100 breached', '120 breached']);
    });

    it('two first requests at once (a step and an agent) open one issue between them', async () => {
      const t = await createTicket(h, { subject: 'Race', priority: 'urgent', organizationId: s.quietOrgId });
      const service = createIssueService({ db: h.database.db, api: createJiraApi({ url: fake.url, email: fake.email, apiToken: fake.apiToken, project: fake.project }), publicUrl: PUBLIC_URL });
      const action = createJiraAction({ db: h.database.db, service });
      const sla = { frDueAt: null, frMetAt: null, frAtRiskAt: null, resDueAt: null, resMetAt: null, resAtRiskAt: null, resPausedSince: null };
      const [byStep, byAgent] = await Promise.all([
        action({ ticketId: t.id, ticketNumber: t.number, stepId: 'resolution:0:80', clock: 'resolution', percent: 80, actionIndex: 0, action: { type: 'jira' }, at: new Date().toISOString(), sla }),
        h.api(`/api/v1/tickets/${t.id}/jira`, { body: {} }),
      ]);
      assert.equal(fake.withLabel(labelOf(t.number)).length, 1);
      assert.ok([200, 201].includes(byAgent.status), JSON.stringify(byAgent.body));
      const link = bodyOf(byAgent, jiraLinkResponse, byAgent.status);
      assert.ok(byStep.detail.includes(link.key), `${byStep.detail} vs ${link.key}`);
    });

    it('an agent asks for the issue: 201 with the link, then 200 with the same link; customers get 403; the ladder ticket answers with its own link', async () => {
      const agent = await createKey(h, 'agent');
      const customer = await createKey(h, 'customer', s.quietOrgId);
      const t = await createTicket(h, { subject: 'Please escalate', priority: 'normal', organizationId: s.quietOrgId });

      const first = await h.api(`/api/v1/tickets/${t.id}/jira`, { key: agent.key, body: {} });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const [issue] = fake.withLabel(labelOf(t.number));
      assert.deepEqual(first.body, { kind: 'jira', key: issue!.key, url: `${fake.url}/browse/${issue!.key}`, syncComments: false });
      assert.match(adfText(issue!.description), /Priority: normal/);
      assert.doesNotMatch(adfText(issue!.description), /Escalation:/, 'no ladder step asked');

      const again = await h.api(`/api/v1/tickets/${t.id}/jira`, { key: agent.key, method: 'POST' });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body, first.body);
      assert.equal(fake.withLabel(labelOf(t.number)).length, 1);

      assert.equal((await h.api(`/api/v1/tickets/${t.id}/jira`, { key: customer.key, body: {} })).status, 403);
      assert.equal((await h.api(`/api/v1/tickets/${t.id}/links`, { key: customer.key })).status, 403);
      assert.equal((await h.api(`/api/v1/tickets/${t.id}/jira`, { key: agent.key, body: { priority: 'high' } })).status, 400);
      assert.equal((await h.api('/api/v1/tickets/00000000-0000-4000-8000-000000000000/jira', { key: agent.key, body: {} })).status, 404);

      const ladder = await h.api(`/api/v1/tickets/${ladderTicket.id}/jira`, { key: agent.key, body: {} });
      const ladderBody = bodyOf(ladder, jiraLinkResponse);
      assert.equal(ladderBody.key, ladderTicket.key);
      assert.equal(ladderBody.syncComments, true, 'the ladder action asked for copies');
    });

    it('public comments become Jira comments when the action asked; internal notes never', async function () {
      this.timeout(30_000);
      const issue = fake.issue(ladderTicket.key)!;
      const before = issue.comments.length;
      const customer = await createKey(h, 'customer', s.ladderOrgId);
      const note = await h.api(`/api/v1/tickets/${ladderTicket.id}/comments`, { body: { body: 'Internal: suspect the payment gateway', public: false } });
      assert.equal(note.status, 201, JSON.stringify(note.body));
      assert.equal((await h.api(`/api/v1/tickets/${ladderTicket.id}/comments`, { body: { body: 'We are on it.\n\nUpdate within the hour.' } })).status, 201);
      assert.equal((await h.api(`/api/v1/tickets/${ladderTicket.id}/comments`, { key: customer.key, body: { body: 'Thanks, still failing here.' } })).status, 201);

      await fake.waitFor(() => issue.comments.length >= before + 2, 10_000, 'two copied comments');
      await new Promise((r) => setTimeout(r, 1_500));
      const copied = issue.comments.slice(before);
      assert.equal(copied.length, 2, 'the internal note stayed in Pacer');
      copied.forEach((c) => assert.deepEqual(adfProblems(c.body), []));
      const texts = copied.map((c) => adfText(c.body)).sort();
      assert.match(texts.find((x) => x.includes('We are on it'))!, /\(agent\) replied on .*:\nWe are on it\.\nUpdate within the hour\./);
      assert.match(texts.find((x) => x.includes('still failing'))!, /\(customer\) replied on/);
      assert.ok(!texts.some((x) => x.includes('payment gateway')));
    });

    it('a ticket whose issue an agent opened without asking for copies keeps its comments, until it asks', async function () {
      this.timeout(30_000);
      const quiet = await createTicket(h, { subject: 'No copies', priority: 'normal', organizationId: s.quietOrgId });
      assert.equal((await h.api(`/api/v1/tickets/${quiet.id}/jira`, { body: {} })).status, 201);
      const quietIssue = fake.withLabel(labelOf(quiet.number))[0]!;
      assert.equal((await h.api(`/api/v1/tickets/${quiet.id}/comments`, { body: { body: 'Not for Jira' } })).status, 201);
      // Then it asks: later public comments are copied.
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${quiet.id}/jira`, { body: { syncComments: true } }), jiraLinkResponse).syncComments, true);
      assert.equal((await h.api(`/api/v1/tickets/${quiet.id}/comments`, { body: { body: 'For Jira' } })).status, 201);
      await fake.waitFor(() => quietIssue.comments.length === 1, 10_000, 'the copied comment');
      assert.match(adfText(quietIssue.comments[0]!.body), /For Jira/);
    });
  });
});
