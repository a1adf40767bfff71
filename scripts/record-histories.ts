/**
 * Records real event histories of the ticket, incident, rollout, contract-period and routing workflows for the replay test
 * (test/workflow/replay.test.ts). Each scenario drives the real workflows, with the real
 * worker and activities writing to a fresh database on the real PostgreSQL test server,
 * through one of their main paths, and each of its runs is saved as JSON (the form
 * `temporal workflow show --output json` prints and `historyFromJSON` reads).
 *
 * Clocks of hours and days run on Temporal's time-skipping test server, with actions sent
 * as signals (it has no updates); the paths the API drives with updates run on an
 * ephemeral dev server, with nothing that has to wait for a clock.
 * (test/support/history-json.ts says why the JSON is not written with the SDK's historyToJSON.)
 *
 *   npx tsx scripts/record-histories.ts [--out <dir>] [--only <scenario substring>]
 *
 * Default output: test/fixtures/histories/<short commit>/ — record from the code that is
 * deployed, and keep older recordings beside new ones.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, type Duration } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { createPacerWorker } from '../src/app/worker';
import { incidentPolicySnapshot } from '../src/db/repositories/incident-policies';
import type { IntegrationConfig } from '../src/integrations/config';
import { reconcileTicketOrphans } from '../src/domain/tickets/reconcile-orphans';
import { RolloutService, type RolloutStarter } from '../src/domain/settings/rollouts';
import { insertCalendar, insertPolicy, updatePolicy, type PolicyInput } from '../src/domain/settings/sla-settings';
import { policySnapshots } from '../src/domain/sla/policy-snapshot';
import { ContractService } from '../src/domain/contracts/contract-service';
import { ContractPeriodWorkflows } from '../src/domain/contracts/contract-periods';
import { nthPeriod } from '../src/domain/contracts/periods';
import { contractPeriodsWorkflowId } from '../workflows/contract/contract-periods';
import { incidentActionSignal, incidentActionUpdate, incidentWorkflowId, type IncidentAction, type IncidentPolicySnapshot, type IncidentSeverity, type IncidentWorkflowInput } from '../workflows/contract/incident';
import { FINAL_STATUSES, ticketActionSignal, ticketActionUpdate, ticketWorkflowId, type Actor, type LadderStep, type TicketAction, type TicketWorkflowInput } from '../workflows/contract/ticket';
import { rolloutWorkflowId, type RolloutProgress } from '../workflows/contract/rollout';
import { workflowBundle } from '../test/support/api-harness';
import { historyToJson } from '../test/support/history-json';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { testTemporalAddress, testTemporalNamespace, timeSkippingServerPath } from '../test/support/env';
import { startPagerDutyEventsFake } from '../test/support/fakes/pagerduty-events-server';
import { mochaGlobalSetup, mochaGlobalTeardown } from '../test/support/global-fixtures';
import { act, policy, ticketInput } from '../test/support/ticket-fixtures';
import { addGroupMember, insertRoutingGroup } from '../src/db/repositories/routing-groups';
import { setAgentStatus, upsertAgentProfile } from '../src/db/repositories/routing-agents';
import { setTicketRouting } from '../src/db/repositories/routing-decisions';
import { agentChangedSignal, routeTicketSignal, routingWorkflowId } from '../workflows/contract/routing';

const ROOT = path.resolve(__dirname, '..');
const agent: Actor = { type: 'agent', name: 'riley' };
const customer: Actor = { type: 'customer', name: 'ann@example.com' };

/** A workflow a scenario wants saved, under the name it is saved as. */
interface Recorded {
  name: string;
  workflowId: string;
}

/** What a scenario can do, whichever server it runs on. */
interface Stage {
  client: Client;
  namespace: string;
  /** The first run of every workflow started, by workflow id. */
  firstRuns: Map<string, string>;
  taskQueue: string;
  db: TestDatabase;
  organizationId: string;
  /** A status-page component incidents may affect. */
  componentId: string;
  now(): Promise<number>;
  /** Lets time pass: skipped on the time-skipping server, refused on the dev server. */
  sleep(duration: Duration): Promise<void>;
  ticket(input: TicketWorkflowInput): Promise<WorkflowHandle>;
  incident(input: IncidentWorkflowInput): Promise<WorkflowHandle>;
  /** A ticket action: an update on the dev server, a signal on the time-skipping server. */
  toTicket(input: TicketWorkflowInput, action: TicketAction): Promise<void>;
  toIncident(input: IncidentWorkflowInput, action: IncidentBody): Promise<void>;
  incidentPolicy(severity: IncidentSeverity): Promise<IncidentPolicySnapshot>;
  incidentInput(severity: IncidentSeverity, over?: Partial<IncidentWorkflowInput['incident']>, p?: IncidentPolicySnapshot): Promise<IncidentWorkflowInput>;
}

type IncidentBody = IncidentAction extends infer A ? (A extends IncidentAction ? Omit<A, 'actionId' | 'actor'> & { actor?: Actor } : never) : never;

interface Scenario {
  /** What the histories cover; the file names start with the workflow type, then this. */
  name: string;
  server: 'time-skipping' | 'dev';
  /** Integrations its own worker (on its own task queue) is configured with; the shared worker has none. */
  integrations?: () => Promise<{ config: IntegrationConfig; close(): Promise<void> }>;
  run(stage: Stage): Promise<Recorded[]>;
}

const ticketName = (scenario: string) => `ticketWorkflow.${scenario}`;
const incidentName = (scenario: string) => `incidentWorkflow.${scenario}`;
const ticketRec = (name: string, input: TicketWorkflowInput): Recorded => ({ name: ticketName(name), workflowId: ticketWorkflowId(input.ticket.id) });
const incidentRec = (name: string, input: IncidentWorkflowInput): Recorded => ({ name: incidentName(name), workflowId: incidentWorkflowId(input.incident.id) });
const rolloutRec = (name: string, rolloutId: string): Recorded => ({ name: `rolloutWorkflow.${name}`, workflowId: rolloutWorkflowId(rolloutId) });
const ack = (clock: 'first_response' | 'resolution' | null): TicketAction => ({ kind: 'acknowledge', actionId: crypto.randomUUID(), actor: agent, clock, source: 'api' });
const escalate = (clock: 'first_response' | 'resolution' | null): TicketAction => ({ kind: 'escalate', actionId: crypto.randomUUID(), actor: agent, clock });
const customerSays = (body: string): TicketAction => ({ kind: 'comment', actionId: crypto.randomUUID(), actor: customer, body, public: true });
/** A customer's survey answer; a low one (1–2) notifies the manager through the action registry. */
const rate = (rating: number, reason: string | null): TicketAction => ({ kind: 'rate', actionId: crypto.randomUUID(), actor: customer, rating, reason, comment: null, lowRatingActions: [{ type: 'notify', role: 'manager' }] });
/** A NUL byte: PostgreSQL refuses it in text for good (SQLSTATE 22021); the API's schemas would have stopped it. */
const POISON = 'It broke \u0000 again';

/** The change must be refused by the store (change_refused), or the scenario is not what its name says. */
async function refused(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'change_refused') return;
    throw err;
  }
  throw new Error('the poisoned change was not refused');
}

const SCENARIOS: Scenario[] = [
  {
    name: 'ladder-80-100-120-acknowledged-page-skipped',
    server: 'time-skipping',
    async run(s) {
      // 80% (notify) fires; the acknowledgement then makes the 120% page a recorded skip.
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 240, resolutionMinutes: 10_000 }));
      await s.ticket(input);
      await s.sleep('210 minutes');
      await s.toTicket(input, ack('first_response'));
      await s.sleep('90 minutes');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'first-response-met-by-agent-reply',
    server: 'time-skipping',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 60, resolutionMinutes: 10_000 }));
      await s.ticket(input);
      await s.sleep('10 minutes');
      await s.toTicket(input, act.note());
      await s.sleep('10 minutes');
      await s.toTicket(input, act.reply());
      await s.sleep('3 hours');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'pending-pause-and-customer-resume',
    server: 'time-skipping',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: null, resolutionMinutes: 8 * 60 }));
      await s.ticket(input);
      await s.sleep('1 hour');
      await s.toTicket(input, act.status('pending'));
      await s.sleep('10 hours');
      await s.toTicket(input, act.customerReply());
      await s.sleep('8 hours');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'solved-customer-reopens-solved-auto-closed',
    server: 'time-skipping',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: null, resolutionMinutes: 8 * 60 }));
      const handle = await s.ticket(input);
      await s.sleep('2 hours');
      await s.toTicket(input, act.status('solved'));
      await s.sleep('1 hour');
      await s.toTicket(input, act.customerReply('Still broken'));
      await s.sleep('1 minute');
      await s.toTicket(input, act.status('solved'));
      await s.sleep('8 days');
      await handle.result();
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'priority-retarget-steps-fire-at-once',
    server: 'time-skipping',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 24 * 60, resolutionMinutes: 72 * 60 }));
      await s.ticket(input);
      await s.sleep('90 minutes');
      await s.toTicket(input, act.retarget(policy({ firstResponseMinutes: 60, resolutionMinutes: 4 * 60 })));
      await s.sleep('5 hours');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'escalate-now-then-ladder',
    server: 'time-skipping',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 60, resolutionMinutes: 10_000 }));
      await s.ticket(input);
      await s.sleep('5 minutes');
      await s.toTicket(input, escalate('first_response'));
      await s.sleep('2 hours');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'business-hours-only-actions-wait-for-opening',
    server: 'time-skipping',
    async run(s) {
      // Open one hour a day. Escalated while closed, both actions wait for the opening; by
      // then the first-response clock is met, so that one is dropped and recorded as skipped.
      const oneHour: Array<[string, string]> = [['00:00', '01:00']];
      const calendar = { timezone: 'UTC', weekly: { mon: oneHour, tue: oneHour, wed: oneHour, thu: oneHour, fri: oneHour, sat: oneHour, sun: oneHour }, holidays: [] };
      const ladder = [{ percent: 50, actions: [{ type: 'notify', role: 'manager', businessHoursOnly: true }] }];
      if (new Date(await s.now()).getUTCHours() === 0) await s.sleep('1 hour');
      const input = ticketInput(s.organizationId, await s.now(), policy({ calendar, firstResponseMinutes: 60, resolutionMinutes: 240, escalations: ladder }));
      await s.ticket(input);
      await s.toTicket(input, escalate('first_response'));
      await s.toTicket(input, escalate('resolution'));
      await s.sleep('1 minute');
      await s.toTicket(input, act.reply());
      await s.sleep('1 day');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'continue-as-new',
    server: 'time-skipping',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 60, resolutionMinutes: 600 }), { historyLimit: 40 });
      await s.ticket(input);
      await s.sleep('50 minutes');
      for (let i = 0; i < 15; i++) await s.toTicket(input, act.note(`note ${i}`));
      // The new run fires the rest of the first-response ladder from the carried state.
      await s.sleep('1 hour');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'next-reply-cycle-step-fires-met-then-met-in-time',
    server: 'time-skipping',
    async run(s) {
      // First response met by a reply; a customer comment opens next-reply cycle 0, its 50% step fires, an agent
      // reply meets it before the breach; cycle 1 is met long before its first step.
      const nextReplyEscalations: LadderStep[] = [
        { percent: 50, actions: [{ type: 'notify', role: 'assignee' }] },
        { percent: 100, actions: [{ type: 'escalate', role: 'manager' }] },
      ];
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 60, resolutionMinutes: 10_000, nextReplyMinutes: 60, nextReplyEscalations }));
      await s.ticket(input);
      await s.sleep('10 minutes');
      await s.toTicket(input, act.reply());
      await s.sleep('10 minutes');
      await s.toTicket(input, act.customerReply('It still fails for EU cards'));
      await s.sleep('40 minutes');
      await s.toTicket(input, act.reply('Found it: a currency rounding bug'));
      await s.sleep('10 minutes');
      await s.toTicket(input, act.customerReply('When will the fix ship?'));
      await s.sleep('10 minutes');
      await s.toTicket(input, act.reply('Tonight'));
      await s.sleep('3 hours');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'ack-without-clock-takes-running-next-reply-page-skipped',
    server: 'time-skipping',
    async run(s) {
      // A customer comment opens next-reply cycle 0; its 50% page fires; an acknowledgement naming no clock
      // takes the running cycle too (patch acknowledge-running-cycles), so its 100% page is a recorded skip.
      const nextReplyEscalations: LadderStep[] = [
        { percent: 50, actions: [{ type: 'page' }] },
        { percent: 100, actions: [{ type: 'page' }] },
      ];
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 60, resolutionMinutes: 10_000, nextReplyMinutes: 60, nextReplyEscalations }));
      await s.ticket(input);
      await s.sleep('10 minutes');
      await s.toTicket(input, act.reply());
      await s.toTicket(input, act.customerReply('It still fails'));
      await s.sleep('35 minutes');
      await s.toTicket(input, ack(null));
      await s.sleep('40 minutes');
      await s.toTicket(input, act.reply('Fixed'));
      await s.sleep('10 minutes');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'urgent-update-cadence-reminders-fire-twice',
    server: 'time-skipping',
    async run(s) {
      // An update owed every hour while open (the default ladder: remind at 80%, escalate at 100%). Cycle 0's reminder
      // fires, an update starts cycle 1, whose reminder and breach fire; an update starts cycle 2, which pending ends.
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 30, resolutionMinutes: 10_000, updateEveryMinutes: 60 }));
      input.ticket.priority = 'urgent';
      await s.ticket(input);
      await s.toTicket(input, { kind: 'assign', actionId: crypto.randomUUID(), actor: agent, assignee: 'agent-9' });
      await s.sleep('5 minutes');
      await s.toTicket(input, act.reply());
      await s.sleep('50 minutes');
      await s.toTicket(input, act.reply('Still rolling back'));
      await s.sleep('65 minutes');
      await s.toTicket(input, act.reply('Rollback done, verifying'));
      await s.sleep('10 minutes');
      await s.toTicket(input, act.status('pending'));
      await s.sleep('3 hours');
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'linked-tickets-wait-released-and-solved',
    server: 'time-skipping',
    async run(s) {
      // The incident is raised from ticket A (it waits from the start), B is linked and later
      // unlinked while the incident is active; resolving releases A and solves it.
      const now = await s.now();
      const p = policy({ firstResponseMinutes: 240, resolutionMinutes: 480 });
      const a = ticketInput(s.organizationId, now, p);
      const b = ticketInput(s.organizationId, now, p);
      await s.ticket(a);
      await s.ticket(b);
      // As through the API: the ticket an incident is raised from exists before the incident.
      await until(async () => (await s.db.db.selectFrom('tickets').select('id').where('id', 'in', [a.ticket.id, b.ticket.id]).execute()).length === 2, 'the tickets to be recorded');
      const input = await s.incidentInput('medium', { sourceTicketId: a.ticket.id }, { ...(await s.incidentPolicy('medium')), solveLinkedTickets: true });
      await s.incident(input);
      await s.sleep('1 minute');
      await s.toIncident(input, { kind: 'link_ticket', ticketId: b.ticket.id });
      await s.sleep('1 minute');
      await s.toIncident(input, { kind: 'update', status: 'investigating', body: 'We are investigating failed payments.', public: true });
      await s.sleep('30 minutes');
      await s.toIncident(input, { kind: 'unlink_ticket', ticketId: b.ticket.id });
      await s.sleep('90 minutes');
      await s.toIncident(input, { kind: 'update', status: 'resolved', body: 'Payments work again.', public: true });
      await s.sleep('1 minute');
      return [
        incidentRec('linked-tickets-source-linked-unlinked-solved', input),
        ticketRec('waits-on-incident-released-and-solved', a),
        ticketRec('waits-on-incident-until-unlinked', b),
      ];
    },
  },
  {
    name: 'paging-ladder-acknowledged-resolved',
    server: 'time-skipping',
    async run(s) {
      // Critical: pages at once, pages level 2 at the 15-minute target, acknowledged after that;
      // the resolution ladder's 80% fires before it is resolved.
      const input = await s.incidentInput('critical');
      await s.incident(input);
      await s.sleep('16 minutes');
      await s.toIncident(input, { kind: 'acknowledge', source: 'pagerduty', actor: { type: 'agent', name: 'Dana On-Call' } });
      await s.sleep('3 hours');
      await s.toIncident(input, { kind: 'update', status: 'resolved', body: 'Rolled back the payment gateway config.', public: true });
      await s.sleep('1 minute');
      return [incidentRec(this.name, input)];
    },
  },
  {
    name: 'postmortem-reminders-close-refused-auto-closed',
    server: 'time-skipping',
    async run(s) {
      const input = await s.incidentInput('high');
      const handle = await s.incident(input);
      await s.toIncident(input, { kind: 'acknowledge', source: 'api' });
      await s.sleep('1 hour');
      await s.toIncident(input, { kind: 'update', status: 'resolved', public: true });
      await s.sleep('25 hours');
      await s.sleep('2 days');
      await s.toIncident(input, { kind: 'update', status: 'closed', public: false });
      await s.sleep('1 minute');
      await s.toIncident(input, {
        kind: 'record_postmortem',
        postmortem: { summary: 'A bad config push', rootCause: 'No canary for gateway config', actionItems: [{ description: 'Canary config pushes', owner: 'sam', dueDate: '2027-01-15' }] },
      });
      await s.sleep('8 days');
      await handle.result();
      return [incidentRec(this.name, input)];
    },
  },
  {
    name: 'update-cadence-fires-update-resets-resolved-auto-closed',
    server: 'time-skipping',
    async run(s) {
      // A public update owed every 30 minutes from detection: cycle 0's reminder and breach fire, an update starts
      // cycle 1, whose reminder fires, an update starts cycle 2, the resolution ends it; closed a week later.
      const input = await s.incidentInput('medium', {}, { ...(await s.incidentPolicy('medium')), updateEveryMinutes: 30 });
      const handle = await s.incident(input);
      await s.toIncident(input, { kind: 'acknowledge', source: 'api' });
      await s.sleep('35 minutes');
      await s.toIncident(input, { kind: 'update', status: 'investigating', body: 'We are looking into slow checkouts.', public: true });
      await s.sleep('26 minutes');
      await s.toIncident(input, { kind: 'update', status: 'identified', body: 'A saturated database pool.', public: true });
      await s.sleep('10 minutes');
      await s.toIncident(input, { kind: 'update', body: 'Internal: pool resized.', public: false });
      await s.sleep('5 minutes');
      await s.toIncident(input, { kind: 'update', status: 'resolved', body: 'Checkout is fast again.', public: true });
      await s.sleep('8 days');
      await handle.result();
      return [incidentRec(this.name, input)];
    },
  },
  {
    name: 'updates-reply-ack-escalate-retarget-pending-reopen-close',
    server: 'dev',
    async run(s) {
      // The API's path: every action an update; ends closed.
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 240, resolutionMinutes: 480 }));
      const handle = await s.ticket(input);
      for (const action of [
        act.note(),
        act.reply(),
        ack(null),
        escalate(null),
        act.retarget(policy({ firstResponseMinutes: 60, resolutionMinutes: 240 })),
        { kind: 'assign', actionId: crypto.randomUUID(), actor: agent, assignee: 'agent-9' } satisfies TicketAction,
        { kind: 'edit', actionId: crypto.randomUUID(), actor: agent, fields: { subject: 'Checkout fails for EU cards' } } satisfies TicketAction,
        act.status('pending'),
        customerSays('Here are the logs'),
        act.status('solved'),
        customerSays('It broke again'),
        act.status('on_hold'),
        act.status('solved'),
        act.status('closed'),
      ]) {
        await s.toTicket(input, action);
      }
      await handle.result();
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'updates-cancelled',
    server: 'dev',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy());
      const handle = await s.ticket(input);
      await s.toTicket(input, act.status('cancelled'));
      await handle.result();
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'updates-every-lifecycle-move-reopen-postmortem-closed',
    server: 'dev',
    async run(s) {
      const t = ticketInput(s.organizationId, await s.now(), policy());
      await s.ticket(t);
      const input = await s.incidentInput('high');
      const handle = await s.incident(input);
      const steps: IncidentBody[] = [
        { kind: 'acknowledge', source: 'slack' },
        { kind: 'link_ticket', ticketId: t.ticket.id },
        { kind: 'update', status: 'investigating', body: 'Looking into it.', public: true },
        { kind: 'retarget', policy: await s.incidentPolicy('critical') },
        { kind: 'edit', fields: { impact: 'partial_outage', affectedComponents: [s.componentId], affectedCustomers: 120 } },
        { kind: 'update', status: 'identified', body: 'Gateway config push.', public: true },
        { kind: 'update', body: 'Internal: rollback in progress.', public: false },
        { kind: 'update', status: 'monitoring', public: true },
        { kind: 'update', status: 'resolved', public: true },
        { kind: 'update', status: 'investigating', body: 'Errors are back.', public: true },
        { kind: 'update', status: 'resolved', body: 'Fixed for good.', public: true },
        { kind: 'record_postmortem', postmortem: { summary: 'Config push', rootCause: 'No canary', actionItems: [] } },
        { kind: 'update', status: 'closed', public: false },
      ];
      for (const step of steps) await s.toIncident(input, step);
      await handle.result();
      return [incidentRec(this.name, input), ticketRec('updates-incident-wait-reopen-release', t)];
    },
  },
  {
    name: 'rollout-policy-edit-two-open-tickets',
    server: 'dev',
    async run(s) {
      // The real save and rollout (src/settings): a policy edit shortens resolution to 30 minutes and adds the
      // next-reply and update clocks. Ticket A, opened 40 minutes before, is re-targeted by the rollout: its 80% and
      // 100% steps fire at once and its repeating clocks start (the patch is first asked in that update); ticket B,
      // opened between the save and the rollout, already has the edit and is counted unchanged. One ticket a page,
      // so the rollout continues as new twice (a page each, then the empty page that finishes it).
      const db = s.db.db;
      const cache = { clear: () => undefined };
      const hex = crypto.randomBytes(3).toString('hex');
      const organizationId = crypto.randomUUID();
      await db.insertInto('organizations').values({ id: organizationId, name: `Rollout ${hex}`, tier: 'starter', email_domains: '[]' }).execute();
      const allDay: Array<[string, string]> = [['00:00', '24:00']];
      const weekly = { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay };
      const calendar = await insertCalendar(db, cache, { name: `recording ${hex}`, timezone: 'UTC', weekly, holidays: [] });
      const escalations: LadderStep[] = [
        { percent: 80, actions: [{ type: 'notify', role: 'manager' }] },
        { percent: 100, actions: [{ type: 'escalate', role: 'director' }] },
      ];
      const body: PolicyInput = { name: 'starter urgent', tier: 'starter', priority: 'urgent', calendarId: calendar.id, firstResponseMinutes: null, resolutionMinutes: 48 * 60, pauseOn: ['pending'], escalations, autoCloseDays: 7, pauseOnIncident: true };
      const saved = await insertPolicy(db, cache, body);
      const snapshot = async () => (await policySnapshots(db, { policyId: saved.id }))[0]!;
      const opened = async (input: TicketWorkflowInput) => {
        input.ticket.tier = 'starter';
        input.ticket.priority = 'urgent';
        await s.ticket(input);
        await until(async () => (await db.selectFrom('tickets').select('id').where('id', '=', input.ticket.id).executeTakeFirst()) !== undefined, 'the ticket to be recorded');
        return input;
      };
      const a = await opened(ticketInput(organizationId, (await s.now()) - 40 * 60_000, await snapshot()));
      await s.toTicket(a, act.reply());

      // The save, then (held back until B is open) the rollout it starts, exactly as the API's PUT does.
      const service = new RolloutService(db, s.client, s.taskQueue, 1);
      let onSave!: () => void;
      const savedEdit = new Promise<void>((resolve) => (onSave = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const starter: RolloutStarter = {
        record: (trx, kind, targetId, editVersion, createdBy) => service.record(trx, kind, targetId, editVersion, createdBy),
        async launch(rolloutId) {
          onSave();
          await released;
          return service.launch(rolloutId);
        },
      };
      const save = updatePolicy(db, cache, saved.id, { ...body, resolutionMinutes: 30, nextReplyMinutes: 60, updateEveryMinutes: 120 }, { rollouts: starter, by: 'admin:riley' });
      await savedEdit;
      const b = await opened(ticketInput(organizationId, await s.now(), await snapshot()));
      release();
      const { rolloutId } = await save;
      const workflowId = rolloutWorkflowId(rolloutId);
      const progress: RolloutProgress = await s.client.workflow.getHandle(workflowId).result();
      if (progress.done !== 1 || progress.unchanged !== 1 || progress.failed !== 0) throw new Error(`expected one ticket re-targeted and one unchanged, got ${JSON.stringify(progress)}`);
      s.firstRuns.set(workflowId, await firstRunOf(s.client, workflowId));

      // After the rollout both tickets run the new clocks: A's customer opens a next-reply cycle, B's first reply opens it.
      await s.toTicket(a, customerSays('Still failing after your change'));
      await s.toTicket(b, act.reply());
      return [ticketRec('rollout-retarget-steps-fire-at-once', a), ticketRec('rollout-unchanged-opened-after-save', b), rolloutRec('policy-edit-two-open-tickets', rolloutId)];
    },
  },
  {
    name: 'refused-change-then-changes-land',
    server: 'dev',
    async run(s) {
      // Sent straight to the workflow, past the API: rolled back, change.refused, the update fails; the rest land.
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 240, resolutionMinutes: 480 }));
      await s.ticket(input);
      await s.toTicket(input, act.note());
      await refused(s.toTicket(input, customerSays(POISON)));
      await s.toTicket(input, act.status('open'));
      await s.toTicket(input, act.retarget(policy({ firstResponseMinutes: 60, resolutionMinutes: 240 })));
      await s.toTicket(input, act.reply());
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'refused-edit-then-changes-land',
    server: 'dev',
    async run(s) {
      // Beyond the int4 column (SQLSTATE 22003): refused for good; the next update and a sane edit land.
      const input = await s.incidentInput('medium');
      await s.incident(input);
      await s.toIncident(input, { kind: 'acknowledge', source: 'api' });
      await refused(s.toIncident(input, { kind: 'edit', fields: { affectedCustomers: 2_147_483_648 } }));
      await s.toIncident(input, { kind: 'update', status: 'identified', body: 'A bad deploy.', public: true });
      await s.toIncident(input, { kind: 'edit', fields: { affectedCustomers: 1200 } });
      return [incidentRec(this.name, input)];
    },
  },
  {
    name: 'csat-survey-sent-rated-low-then-changed-auto-closed',
    server: 'time-skipping',
    async run(s) {
      // Solved: the survey waits the default delay (24 h, asked of the worker once), then goes out
      // (its row and event; no mail is configured). A low rating runs its action through the
      // action registry; a changed rating overwrites it; the solved ticket then auto-closes.
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: null, resolutionMinutes: 48 * 60, escalations: [] }));
      const handle = await s.ticket(input);
      await s.sleep('1 hour');
      await s.toTicket(input, act.status('solved'));
      await s.sleep('25 hours');
      const sent = () => s.db.db.selectFrom('csat_surveys').select('ticket_id').where('ticket_id', '=', input.ticket.id).execute();
      await until(async () => (await sent()).length === 1, 'the survey to go out');
      await s.toTicket(input, rate(2, 'slow'));
      await s.sleep('1 hour');
      await s.toTicket(input, rate(4, null));
      await s.sleep('8 days');
      await handle.result();
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'month-closed-after-terms-changed',
    server: 'time-skipping',
    async run(s) {
      // A monthly contract: a save mid-month wakes the workflow to ask again, the month's end
      // freezes the statement, and the workflow goes on to wait for the next month's end.
      const now = await s.now();
      const startsOn = new Date(now).toISOString().slice(0, 8) + '01';
      const contracts = new ContractService(s.db.db, new ContractPeriodWorkflows(s.client, s.taskQueue), () => new Date(now));
      const terms = { period: 'monthly', timezone: 'UTC', currency: 'EUR', feeMinor: 200_000n, startsOn, rules: [{ kind: 'per_breach', clock: 'first_response', priority: null, creditBp: 500 }], customerVisible: false } as const;
      const contract = await contracts.put(s.organizationId, { ...terms, capBp: null });
      const id = contractPeriodsWorkflowId(contract.id);
      s.firstRuns.set(id, (await s.client.workflow.getHandle(id).describe()).runId);
      await s.sleep('1 day');
      await contracts.put(s.organizationId, { ...terms, capBp: 5_000 });
      const month = nthPeriod({ period: 'monthly', timezone: 'UTC', startsOn }, 0);
      await s.sleep(month.end.getTime() - (await s.now()) + 60_000);
      const frozen = () => s.db.db.selectFrom('contract_statements').select('contract_id').where('contract_id', '=', contract.id).execute();
      await until(async () => (await frozen()).length === 1, 'the month to be frozen');
      return [{ name: `contractPeriodsWorkflow.${this.name}`, workflowId: id }];
    },
  },
  {
    name: 'ladder-page-fails-for-good-next-step-fires',
    server: 'dev',
    async integrations() {
      // PagerDuty answers 400 to every event of a malformed routing key: the page fails for good.
      const fake = await startPagerDutyEventsFake();
      return { config: { publicUrl: 'https://pacer.example.test', pagerduty: { routingKey: 'not-a-routing-key', eventsHost: fake.host, webhookSecret: 'pd-whsec-recording', ca: fake.ca } }, close: () => fake.close() };
    },
    async run(s) {
      // Steps at 5% (3 s) and 15% (9 s) of a one-minute first response, each paging: both record action.failed, in turn.
      const ladder = [5, 15].map((percent) => ({ percent, actions: [{ type: 'page' }] }));
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 1, resolutionMinutes: 600, escalations: ladder }));
      await s.ticket(input);
      const failed = () => s.db.db.selectFrom('ticket_events').select('id').where('ticket_id', '=', input.ticket.id).where('type', '=', 'action.failed').execute();
      await until(async () => (await failed()).length >= 2, 'both pages to fail for good', 40_000);
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'resumed-by-reconciliation-from-event-log',
    server: 'dev',
    async run(s) {
      // The workflow is lost mid-life (terminated) with its row open; the reconciliation pass starts one resumed
      // from the event log (first response met, pending, state version), and a later change lands on it.
      const input = ticketInput(s.organizationId, await s.now(), policy({ firstResponseMinutes: 240, resolutionMinutes: 480 }));
      const id = ticketWorkflowId(input.ticket.id);
      await s.ticket(input);
      await s.toTicket(input, act.reply());
      await s.toTicket(input, act.status('pending'));
      await settled(s.client, id);
      await s.client.workflow.getHandle(id).terminate('lost in an accident');
      // Only this ticket is an orphan: rows the scenarios before it left open (their workflows ended when recorded) are closed.
      await s.db.db.updateTable('tickets').set({ status: 'closed' }).where('id', '!=', input.ticket.id).where('status', 'not in', [...FINAL_STATUSES]).execute();
      const pass = () => reconcileTicketOrphans({ db: s.db.db, client: s.client, namespace: s.namespace, taskQueue: s.taskQueue, graceMs: 0 });
      // Visibility lags: the terminated run can still be listed as running for a moment.
      await until(async () => (await pass()).workflowsStarted.includes(input.ticket.id), 'the reconciliation to start the workflow');
      s.firstRuns.set(id, (await s.client.workflow.getHandle(id).describe()).runId);
      await s.toTicket(input, act.customerReply());
      return [ticketRec(this.name, input)];
    },
  },
  {
    name: 'first-record-refused-ends-failed',
    server: 'dev',
    async run(s) {
      const input = ticketInput(s.organizationId, await s.now(), policy());
      input.ticket.subject = POISON;
      const handle = await s.ticket(input);
      const failure = await handle.result().then(
        () => null,
        (err: unknown) => err,
      );
      if (!(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure && failure.cause.type === 'ticket_record_refused')) {
        throw new Error(`expected the workflow to fail with ticket_record_refused, got ${String(failure)}`);
      }
      return [ticketRec(this.name, input)];
    },
  },
  {
    // Routing: a ticket assigned to the agent on shift, released at shift end (due before they are back) and assigned to the one still working; a low history limit continues as new carrying the queue.
    name: 'routing-assign-shift-end-release-reassign',
    server: 'time-skipping',
    async run(s) {
      const db = s.db.db;
      const hex = crypto.randomBytes(4).toString('hex');
      const groupId = crypto.randomUUID();
      await insertRoutingGroup(db, groupId, { name: `recording ${hex}`, strategy: 'deadline_aware', releaseOnOffline: true, awayReleaseMinutes: 30, releaseOnShiftEnd: true, answerMinutes: 30 });
      const from = await s.now();
      const to = from + 2 * 3_600_000;
      const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
      const dayOf = (ms: number) => days[new Date(ms).getUTCDay()]!;
      const end = new Date(to).toISOString().slice(11, 16);
      const weekly: Record<string, Array<[string, string]>> = dayOf(from) === dayOf(to) ? { [dayOf(from)]: [['00:00', end]] } : { [dayOf(from)]: [['00:00', '24:00']], [dayOf(to)]: [['00:00', end]] };
      const calendarId = crypto.randomUUID();
      await db.insertInto('calendars').values({ id: calendarId, name: `shift ${hex}`, timezone: 'UTC', weekly: JSON.stringify(weekly), holidays: '[]' }).execute();
      const agents = [];
      for (const [name, calendar] of [['leaving', calendarId], ['staying', null]] as const) {
        const id = crypto.randomUUID();
        await db.insertInto('users').values({ id, email: `${name}-${hex}@pacer.test`, name, role: 'agent', organization_id: null, password_hash: 'x', disabled_at: null }).execute();
        await upsertAgentProfile(db, id, { capacity: 5, capacityByPriority: {}, calendarId: calendar, daysOff: [], languages: [], skills: [] });
        await setAgentStatus(db, id, name === 'leaving' ? 'online' : 'offline', new Date(from));
        await addGroupMember(db, groupId, id);
        agents.push(id);
      }
      const input = ticketInput(s.organizationId, from, policy({ firstResponseMinutes: null, resolutionMinutes: 8 * 60, escalations: [] }));
      await s.ticket(input);
      await until(async () => (await db.selectFrom('tickets').select('id').where('id', '=', input.ticket.id).executeTakeFirst()) !== undefined, 'the ticket row');
      await setTicketRouting(db, input.ticket.id, groupId, []);
      const routing = await s.client.workflow.signalWithStart('routingWorkflow', {
        workflowId: routingWorkflowId(groupId), taskQueue: s.taskQueue, args: [{ groupId, historyLimit: 40 }], signal: routeTicketSignal, signalArgs: [{ ticketId: input.ticket.id, reason: 'new' }],
      });
      s.firstRuns.set(routing.workflowId, routing.signaledRunId);
      const assignee = async () => (await db.selectFrom('tickets').select('assignee').where('id', '=', input.ticket.id).executeTakeFirstOrThrow()).assignee;
      await until(async () => (await assignee()) !== null, 'the first assignment');
      await setAgentStatus(db, agents[1]!, 'online', new Date(await s.now()));
      await routing.signal(agentChangedSignal, { userId: agents[1]! });
      await s.sleep('150 minutes');
      await until(async () => (await assignee())?.startsWith('staying') === true, 'the re-assignment');
      await s.sleep('1 minute');
      return [ticketRec(this.name, input), { name: `routingWorkflow.${this.name}`, workflowId: routing.workflowId }];
    },
  },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'workflows'], { cwd: ROOT, encoding: 'utf8' }).trim();
  if (dirty) process.stderr.write(`[record-histories] WARNING: workflows/ has uncommitted changes; these histories are not from ${commit}\n${dirty}\n`);
  const out = path.resolve(flag('--out') ?? path.join(ROOT, 'test', 'fixtures', 'histories', commit));
  const only = flag('--only');
  const chosen = SCENARIOS.filter((s) => !only || s.name.includes(only));
  await mkdir(out, { recursive: true });

  await mochaGlobalSetup();
  const db = await createTestDatabase();
  const organizationId = crypto.randomUUID();
  await db.db.insertInto('organizations').values({ id: organizationId, name: 'Acme', tier: 'enterprise', email_domains: '[]' }).execute();
  const componentId = crypto.randomUUID();
  await db.db.insertInto('components').values({ id: componentId, name: 'Checkout' }).execute();
  const bundle = await workflowBundle();
  let written = 0;
  const started = Date.now();
  try {
    if (chosen.some((s) => s.server === 'time-skipping' && s.integrations)) throw new Error('integrations are wired for dev-server scenarios only');
    const skipping = chosen.filter((s) => s.server === 'time-skipping');
    const dev = chosen.filter((s) => s.server === 'dev');
    if (skipping.length) {
      const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
      try {
        // The production cache: with none, workflows started together time out their first task
        // (a local activity holds it) and the histories would show timeouts the real paths do not have.
        const taskQueue = queue();
        const worker = await createPacerWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, db: db.db, workflowBundle: bundle });
        const stage = makeStage(env.client, env.namespace ?? 'default', taskQueue, db, organizationId, componentId, { now: async () => Number(await env.currentTimeMs()), sleep: (d) => env.sleep(d), updates: false });
        await worker.runUntil(async () => {
          for (const scenario of skipping) written += await record(scenario, stage, out);
        });
      } finally {
        await env.teardown();
      }
    }
    if (dev.length) {
      const connection = await Connection.connect({ address: testTemporalAddress() });
      const nativeConnection = await NativeConnection.connect({ address: testTemporalAddress() });
      try {
        const client = new Client({ connection, namespace: testTemporalNamespace() });
        const taskQueue = queue();
        const worker = await createPacerWorker({ connection: nativeConnection, namespace: testTemporalNamespace(), taskQueue, db: db.db, workflowBundle: bundle });
        const devStage = (q: string) =>
          makeStage(client, testTemporalNamespace(), q, db, organizationId, componentId, {
            now: async () => Date.now(),
            sleep: async () => {
              throw new Error('dev-server scenarios must not wait for clocks');
            },
            updates: true,
          });
        const stage = devStage(taskQueue);
        await worker.runUntil(async () => {
          for (const scenario of dev.filter((d) => !d.integrations)) written += await record(scenario, stage, out);
        });
        for (const scenario of dev) {
          if (!scenario.integrations) continue;
          const integrations = await scenario.integrations();
          try {
            const q = queue();
            const own = await createPacerWorker({ connection: nativeConnection, namespace: testTemporalNamespace(), taskQueue: q, db: db.db, workflowBundle: bundle, integrations: integrations.config });
            await own.runUntil(async () => {
              written += await record(scenario, devStage(q), out);
            });
          } finally {
            await integrations.close();
          }
        }
      } finally {
        await connection.close();
        await nativeConnection.close();
      }
    }
  } finally {
    await db.drop();
    await mochaGlobalTeardown();
  }
  process.stderr.write(`[record-histories] ${written} histories from ${commit} in ${out} (${Math.round((Date.now() - started) / 1000)} s)\n`);
}

function queue(): string {
  return `record-${crypto.randomBytes(4).toString('hex')}`;
}

function makeStage(
  client: Client,
  namespace: string,
  taskQueue: string,
  db: TestDatabase,
  organizationId: string,
  componentId: string,
  o: { now(): Promise<number>; sleep(d: Duration): Promise<void>; updates: boolean },
): Stage {
  const firstRuns = new Map<string, string>();
  const started = (h: WorkflowHandleWithFirstExecutionRunId) => {
    firstRuns.set(h.workflowId, h.firstExecutionRunId);
    return h;
  };
  const stage: Stage = {
    client,
    namespace,
    firstRuns,
    taskQueue,
    db,
    organizationId,
    componentId,
    now: o.now,
    sleep: o.sleep,
    ticket: async (input) => started(await client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue, args: [input] })),
    incident: async (input) => started(await client.workflow.start('incidentWorkflow', { workflowId: incidentWorkflowId(input.incident.id), taskQueue, args: [input] })),
    async toTicket(input, action) {
      const handle = client.workflow.getHandle(ticketWorkflowId(input.ticket.id));
      if (o.updates) await handle.executeUpdate(ticketActionUpdate, { args: [action] });
      else await handle.signal(ticketActionSignal, action);
    },
    async toIncident(input, body) {
      const action = { actionId: crypto.randomUUID(), actor: agent, ...body } as IncidentAction;
      const handle = client.workflow.getHandle(incidentWorkflowId(input.incident.id));
      if (o.updates) await handle.executeUpdate(incidentActionUpdate, { args: [action] });
      else await handle.signal(incidentActionSignal, action);
    },
    incidentPolicy: (severity) => incidentPolicySnapshot(db.db, severity),
    async incidentInput(severity, over = {}, p) {
      const id = crypto.randomUUID();
      return {
        version: 1,
        incident: {
          id,
          number: `INC-REC-${id.slice(0, 8)}`,
          title: 'Checkout is failing',
          description: 'Payments time out',
          severity,
          commander: 'ic@corp.test',
          responders: [],
          impact: 'major_outage',
          affectedComponents: [],
          affectedCustomers: null,
          sourceTicketId: null,
          createdBy: 'agent:riley',
          createdAt: new Date(await o.now()).toISOString(),
          ...over,
        },
        policy: p ?? (await incidentPolicySnapshot(db.db, severity)),
      };
    },
  };
  return stage;
}

/** Runs one scenario, waits until its workflows have nothing in flight, saves every run of each, then ends the ones still running. */
async function record(scenario: Scenario, stage: Stage, out: string): Promise<number> {
  const t0 = Date.now();
  // A wedged workflow (an update that never returns) fails the recording instead of hanging it.
  let timer: NodeJS.Timeout | undefined;
  const recorded = await Promise.race([
    scenario.run(stage),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`scenario ${scenario.name} did not finish within 90 s`)), 90_000);
    }),
  ]).finally(() => clearTimeout(timer));
  let files = 0;
  for (const r of recorded) await settled(stage.client, r.workflowId);
  for (const r of recorded) {
    const runs = await allRuns(stage.client, r.workflowId, stage.firstRuns.get(r.workflowId));
    for (const [i, history] of runs.entries()) {
      const name = runs.length > 1 ? `${r.name}.run-${i + 1}` : r.name;
      await writeFile(path.join(out, `${name}.json`), historyToJson(history) + '\n');
      files++;
    }
  }
  for (const r of recorded) await stage.client.workflow.getHandle(r.workflowId).terminate('recorded').catch(() => undefined);
  process.stderr.write(`[record-histories] ${scenario.name}: ${files} histories (${Date.now() - t0} ms)\n`);
  return files;
}

/** Every run of a workflow id, first to last, following continue-as-new. */
async function allRuns(client: Client, workflowId: string, firstRunId: string | undefined) {
  if (!firstRunId) throw new Error(`${workflowId} was not started by this scenario`);
  const histories: History[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return histories;
}

/** The first run of a workflow id, walking back from its latest run through continue-as-new. */
async function firstRunOf(client: Client, workflowId: string): Promise<string> {
  let runId = (await client.workflow.getHandle(workflowId).describe()).runId;
  for (;;) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runId;
    runId = previous;
  }
}

async function until(probe: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** No activity and no workflow task in flight, so the history ends at a resting point. */
async function settled(client: Client, workflowId: string): Promise<void> {
  await until(async () => {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name !== 'RUNNING' || ((d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask);
  }, `${workflowId} to settle`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[record-histories] FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
