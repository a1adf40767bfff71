/**
 * Tickets are findable in Temporal's own tools: through the API on the dev server, an urgent
 * and a normal ticket are listed with the Temporal CLI (`temporal workflow list --query …`) by
 * PacerStatus, PacerPriority and PacerTicketNumber, and by the next deadline (PacerNextDeadline,
 * a Datetime) — kept current as the tickets change (a reply opens one, solving clears its deadline).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { testTemporalAddress, testTemporalNamespace } from '../support/env';
import { testLogger } from '../support/global-fixtures';
import { resolveTemporalCli } from '../../src/app/stack/temporal-cli';
import { ticketWorkflowId } from '../../workflows/contract/ticket';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { createOrg, createTicket, eventually } from './api-helpers';

const run = promisify(execFile);

describe('API: tickets found by search attribute with the Temporal CLI', function () {
  this.timeout(90_000);
  let h: PacerHarness;
  let cli: string;
  let org: { id: string };
  let urgent: TicketView;
  let normal: TicketView;

  /** The workflow ids `temporal workflow list` answers for a visibility query, sorted. */
  const list = async (query: string): Promise<string[]> => {
    const { stdout } = await run(cli, ['workflow', 'list', '--address', testTemporalAddress(), '--namespace', testTemporalNamespace(), '--query', query, '--output', 'json'], { timeout: 30_000 });
    const rows = (stdout.trim() ? JSON.parse(stdout) : []) as Array<{ execution: { workflowId: string } }>;
    return rows.map((r) => r.execution.workflowId).sort();
  };
  /** Visibility is eventually consistent: the answer the query settles on within a few seconds. */
  const listed = (query: string, expected: string[]) =>
    eventually(async () => JSON.stringify(await list(query)) === JSON.stringify([...expected].sort()), 20_000, `${query} to list ${expected.join(', ') || 'nothing'}`);
  const inOrg = (clause: string) => `PacerOrganizationId="${org.id}" AND ${clause}`;

  before(async function () {
    this.timeout(180_000);
    h = await startHarness();
    cli = await resolveTemporalCli(testLogger('temporal-cli'));
    org = await createOrg(h, 'enterprise');
    urgent = await createTicket(h, { subject: 'Checkout is down', priority: 'urgent', organizationId: org.id });
    normal = await createTicket(h, { subject: 'Invoice question', priority: 'normal', organizationId: org.id });
    // A public agent reply opens the urgent one; the normal one stays new.
    assert.equal((await h.api(`/api/v1/tickets/${urgent.id}/comments`, { body: { body: 'Looking into it.' } })).status, 201);
  });
  after(async () => {
    await h?.close();
  });

  it('lists the open urgent ticket by status and priority, and the normal one by its own', async () => {
    await listed(inOrg('PacerStatus="open" AND PacerPriority="urgent"'), [ticketWorkflowId(urgent.id)]);
    await listed(inOrg('PacerStatus="new" AND PacerPriority="normal"'), [ticketWorkflowId(normal.id)]);
    await listed(inOrg('PacerKind="ticket"'), [ticketWorkflowId(urgent.id), ticketWorkflowId(normal.id)]);
  });

  it('finds a ticket by its number', async () => {
    // Numbers restart with each database, and other suites share this dev server: scope to the org.
    await listed(inOrg(`PacerTicketNumber="${normal.number}"`), [ticketWorkflowId(normal.id)]);
  });

  it('carries the next deadline: first response while unanswered, resolution once answered', async () => {
    const view = async (id: string) => (await h.api(`/api/v1/tickets/${id}`)).body as TicketView;
    const [u, n] = [await view(urgent.id), await view(normal.id)];
    assert.ok(u.sla.resolution.dueAt && n.sla.firstResponse.dueAt, 'both tickets have a running clock');
    // Within a second of the instant the API shows (visibility keeps it to the second).
    const around = (iso: string) => `PacerNextDeadline BETWEEN "${new Date(Date.parse(iso) - 1000).toISOString()}" AND "${new Date(Date.parse(iso) + 1000).toISOString()}"`;
    await listed(inOrg(around(u.sla.resolution.dueAt)), [ticketWorkflowId(urgent.id)]);
    await listed(inOrg(around(n.sla.firstResponse.dueAt)), [ticketWorkflowId(normal.id)]);
    const sooner = Date.parse(u.sla.resolution.dueAt) < Date.parse(n.sla.firstResponse.dueAt) ? urgent : normal;
    const first = Math.min(Date.parse(u.sla.resolution.dueAt), Date.parse(n.sla.firstResponse.dueAt));
    await listed(inOrg(`PacerNextDeadline < "${new Date(first + 1000).toISOString()}"`), [ticketWorkflowId(sooner.id)]);
  });

  it('follows a change: a solved ticket leaves the open list and has no deadline', async () => {
    assert.equal((await h.api(`/api/v1/tickets/${urgent.id}`, { method: 'PATCH', body: { status: 'solved' } })).status, 200);
    await listed(inOrg('PacerStatus="open"'), []);
    await listed(inOrg('PacerStatus="solved"'), [ticketWorkflowId(urgent.id)]);
    await listed(inOrg('PacerNextDeadline IS NULL'), [ticketWorkflowId(urgent.id)]);
  });
});
