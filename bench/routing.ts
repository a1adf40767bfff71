/**
 * npm run bench:routing — assignment latency, ticket created → assigned, with routing on
 * against the same ticket flow with routing off, on the same server and worker in the same run,
 * printed as p50/p99 and their ratio.
 *
 * - routing on: BENCH_AGENTS agents (default 50) online in one least-loaded group with room for
 *   every ticket, a rule that matches the tickets' subject; the API creates each ticket and
 *   routing assigns it (intake → the group's workflow → one decision activity per pass → a signal to each ticket).
 * - routing off (baseline): no rule matches; the client creates the ticket and assigns it itself
 *   at once (PATCH assignee), the one assignment a client without routing makes.
 * Latency: from the create request being sent until the ticket's row shows its assignee
 * (polled every 20 ms). Tickets are created at BENCH_RATE per second (default 20), BENCH_TICKETS
 * per phase (default 600, i.e. 30 s), BENCH_ROUNDS rounds alternating which phase goes first
 * (default 2). TEMPORAL_ADDRESS / DATABASE_URL run it on a real cluster / PostgreSQL (bench/stack.ts).
 */
import crypto from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { startBenchPacer, type BenchPacer } from './pacer';
import { startBenchStack, type BenchStack } from './stack';
import { describeLatencies, percentile } from './support';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const N = Number(process.env.BENCH_TICKETS ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WAIT_MS = Number(process.env.BENCH_WAIT_MINUTES ?? 5) * 60_000;
const POLL_MS = 20;

type Mode = 'routing' | 'baseline';

/** Creates N tickets at RATE per second and answers each one's latency to its first assignee, in ms. */
async function phase(stack: BenchStack, pacer: BenchPacer, organizationId: string, mode: Mode): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const assignedAt = new Map<string, number>();
  const ids: string[] = [];
  let creating = true;
  // Watches the rows: an assignee seen for the first time is that ticket's assignment.
  const watcher = (async () => {
    const deadline = () => Date.now() + WAIT_MS;
    let until = deadline();
    while ((creating || assignedAt.size < ids.length) && Date.now() < until) {
      const open = ids.filter((id) => !assignedAt.has(id));
      if (open.length) {
        const rows = await stack.db.selectFrom('tickets').select(['id', 'assignee']).where('id', 'in', open).where('assignee', 'is not', null).execute();
        const seen = Date.now();
        for (const r of rows) assignedAt.set(r.id, seen);
      }
      if (creating) until = deadline();
      await delay(POLL_MS);
    }
  })();
  const start = Date.now();
  const creates: Array<Promise<void>> = [];
  for (let i = 0; i < N; i++) {
    const due = start + (i * 1000) / RATE;
    if (due > Date.now()) await delay(due - Date.now());
    creates.push(
      (async () => {
        const t0 = Date.now();
        const subject = mode === 'routing' ? `Routed question ${i}` : `Plain question ${i}`;
        const t = await pacer.api<{ id: string }>('/api/v1/tickets', { body: { subject, description: 'bench', organizationId, priority: 'normal', requester: { email: 'bench@example.com' } }, expect: 201 });
        sentAt.set(t.id, t0);
        ids.push(t.id);
        if (mode === 'baseline') await pacer.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { assignee: 'baseline@bench.test' }, expect: 200 });
      })(),
    );
  }
  await Promise.all(creates);
  creating = false;
  await watcher;
  const missing = ids.length - assignedAt.size;
  if (missing) console.log(`  ${mode}: ${missing} of ${ids.length} tickets not assigned within ${WAIT_MS / 60_000} min`);
  if (mode === 'routing') await printStages(stack, sentAt, assignedAt);
  return ids.flatMap((id) => (assignedAt.has(id) ? [assignedAt.get(id)! - sentAt.get(id)!] : []));
}

/**
 * Where a routed ticket's time goes, from what the run wrote: sent → queued (the ticket's first
 * task and its record, whose intake writes the 'queued' decision), queued → decided (the routing
 * workflow's pass that planned it: its 'assigned' decision carries the pass's instant), decided →
 * on the ticket (the ticket workflow took the signal: its assign event's instant), → seen (the
 * ticket's record stored the row and the watcher saw it).
 */
async function printStages(stack: BenchStack, sentAt: Map<string, number>, assignedAt: Map<string, number>): Promise<void> {
  const ids = [...assignedAt.keys()];
  if (ids.length === 0) return;
  const decisions = await stack.db.selectFrom('routing_decisions').select(['ticket_id', 'kind', 'at']).where('ticket_id', 'in', ids).execute();
  const events = await stack.db.selectFrom('ticket_events').select(['ticket_id', 'at']).where('ticket_id', 'in', ids).where('type', '=', 'ticket.assigned').execute();
  const first = (rows: Array<{ ticket_id: string; at: Date }>) => {
    const out = new Map<string, number>();
    for (const r of rows) out.set(r.ticket_id, Math.min(out.get(r.ticket_id) ?? Infinity, r.at.getTime()));
    return out;
  };
  const queued = first(decisions.filter((d) => d.kind === 'queued'));
  const decided = first(decisions.filter((d) => d.kind === 'assigned'));
  const onTicket = first(events);
  const gaps = (from: (id: string) => number | undefined, to: (id: string) => number | undefined) =>
    ids.flatMap((id) => {
      const a = from(id);
      const b = to(id);
      return a === undefined || b === undefined ? [] : [b - a];
    });
  const stages: Array<[string, number[]]> = [
    ['sent → queued', gaps((id) => sentAt.get(id), (id) => queued.get(id))],
    ['queued → decided', gaps((id) => queued.get(id), (id) => decided.get(id))],
    ['decided → on the ticket', gaps((id) => decided.get(id), (id) => onTicket.get(id))],
    ['on the ticket → seen', gaps((id) => onTicket.get(id), (id) => assignedAt.get(id))],
  ];
  for (const [name, xs] of stages) console.log(`    ${name}: p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms`);
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const pacer = await startBenchPacer(stack);
  try {
    const hex = crypto.randomBytes(3).toString('hex');
    const org = await pacer.api<{ id: string }>('/api/v1/organizations', { body: { name: `Bench routing ${hex}`, tier: 'enterprise' }, expect: 201 });
    const group = await pacer.api<{ id: string }>('/api/v1/routing/groups', { body: { name: `bench ${hex}`, strategy: 'least_loaded' }, expect: 201 });
    await pacer.api('/api/v1/routing/rules', { body: { name: `bench ${hex}`, groupId: group.id, conditions: { subjectWords: ['routed'] } }, expect: 201 });
    for (let i = 0; i < AGENTS; i++) {
      const u = await pacer.api<{ id: string }>('/api/v1/users', { body: { email: `agent-${i}-${hex}@bench.test`, name: `Agent ${i}`, role: 'agent', password: 'bench password 123' }, expect: 201 });
      await pacer.api(`/api/v1/routing/agents/${u.id}`, { method: 'PUT', body: { capacity: Math.ceil((N * ROUNDS) / AGENTS) + 10 }, expect: 200 });
      await pacer.api(`/api/v1/routing/groups/${group.id}/members`, { body: { userId: u.id }, expect: 201 });
      await pacer.api(`/api/v1/routing/agents/${u.id}/status`, { method: 'PUT', body: { status: 'online' }, expect: 200 });
    }
    console.log(`routing: ${AGENTS} agents online in one least-loaded group; ${N} tickets per phase at ${RATE}/s, ${ROUNDS} rounds`);
    const all: Record<Mode, number[]> = { routing: [], baseline: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order: Mode[] = round % 2 === 0 ? ['routing', 'baseline'] : ['baseline', 'routing'];
      for (const mode of order) {
        const xs = await phase(stack, pacer, org.id, mode);
        all[mode].push(...xs);
        console.log(`  round ${round + 1} ${mode}: ${describeLatencies(xs)}`);
      }
    }
    console.log(`routing on  (created → assigned by routing): ${describeLatencies(all.routing)}`);
    console.log(`routing off (created, then assigned by the client): ${describeLatencies(all.baseline)}`);
    const ratio = (p: number) => (percentile(all.routing, p) / percentile(all.baseline, p)).toFixed(2);
    console.log(`ratio routing/baseline: p50 ${ratio(50)}, p99 ${ratio(99)}`);
  } finally {
    await pacer.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
