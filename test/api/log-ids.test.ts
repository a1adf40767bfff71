/**
 * A log line is found from the ticket the console shows: what an activity logs (here PagerDuty
 * refusing a page, through the real @pagerduty/pdjs against the loopback Events API fake)
 * carries the ticket, its workflow and run, the activity and its attempt; what the API logs
 * about a request on a ticket carries the ticket, its workflow id and the route pattern.
 */
import assert from 'node:assert/strict';
import { startPagerDutyStack, type PagerDutyStack } from '../support/fakes/pagerduty-test-stack';
import { createTicket, eventually } from './api-helpers';
import { ticketWorkflowId } from '../../workflows/contract/ticket';

type Line = Record<string, unknown>;

describe('log lines carry ticket and workflow ids', function () {
  this.timeout(60_000);
  let s: PagerDutyStack;
  const lines: Line[] = [];

  before(async function () {
    this.timeout(120_000);
    s = await startPagerDutyStack({ routingKey: 'not-a-routing-key', log: { level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l) as Line) } } });
  });
  after(async () => s?.close());

  it("an activity's line names the ticket, its workflow and run, the activity and the attempt", async () => {
    const t = await createTicket(s.h, { subject: 'Nobody can be paged', priority: 'urgent', organizationId: s.pagingOrgId });
    const line = await eventually(async () => lines.find((l) => l.msg === 'PagerDuty rejected a page' && l.ticketId === t.id), 20_000, "PagerDuty's refusal logged");
    assert.equal(line.workflowId, ticketWorkflowId(t.id));
    assert.equal(line.activity, 'runLadderAction');
    assert.equal(line.ticketNumber, t.number);
    assert.equal(typeof line.runId, 'string');
    assert.equal(line.attempt, 1);
  });

  it("the API's line about a failed request on a ticket names it, its workflow and the route", async () => {
    const t = await createTicket(s.h, { subject: 'Temporal goes away', organizationId: s.quietOrgId });
    await s.h.client.connection.close();
    const res = await s.h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Still there?', public: true } });
    assert.ok(res.status >= 500, `answered ${res.status}`);
    const line = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('request failed') && l.ticketId === t.id);
    assert.ok(line, `no request line with the ticket: ${JSON.stringify(lines.filter((l) => String(l.msg).startsWith('request failed')))}`);
    assert.equal(line.workflowId, ticketWorkflowId(t.id));
    assert.equal(line.route, '/api/v1/tickets/:id/comments');
    assert.equal(line.method, 'POST');
  });
});
