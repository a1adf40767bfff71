/**
 * Keeps report_tickets and report_clocks current: takes a batch of tickets the ticket_events
 * trigger queued, recomputes each from its whole event log (ticket-summary.ts) and the policy
 * the ticket runs on, and deletes the queue rows it took, in one transaction. An event that
 * commits meanwhile queued its own row, so it is taken by the next batch; nothing is missed.
 * Refreshers are serialized by an advisory lock, so two never write one ticket at once.
 */
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { Database, ReportClocksTable, ReportTicketsTable } from '../../db/schema';
import type { Logger } from '../../core/logger';
import type { TicketStatus } from '../../../workflows/contract/ticket';
import { policySnapshotsByIds } from '../sla/policy-snapshot';
import { summarizeTicket, type LoggedEvent } from './ticket-summary';

/** What the clock history and the first replier are rebuilt from; the rest of the log is not read. */
const CLOCK_EVENT_TYPES = ['sla.first_response_met', 'comment.public', 'ticket.reopened', 'ticket.status_changed', 'ticket.waiting_on_incident', 'ticket.incident_wait_ended'];
const REFRESH_LOCK = 0x7265_706f; // "repo"
const INSERT_CHUNK = 2_000;

async function refreshTickets(tx: Transaction<Database>, ticketIds: string[]): Promise<void> {
  const tickets = await tx
    .selectFrom('tickets as t')
    .innerJoin('organizations as o', 'o.id', 't.organization_id')
    .select(['t.id', 't.number', 't.organization_id', 'o.tier', 't.priority', 't.policy_id', 't.assignee', 't.status', 't.created_at'])
    .where('t.id', 'in', ticketIds)
    .execute();
  const events = await tx.selectFrom('ticket_events').select(['ticket_id', 'type', 'at', 'actor', 'data']).where('ticket_id', 'in', ticketIds).where('type', 'in', CLOCK_EVENT_TYPES).orderBy('seq').execute();
  const byTicket = new Map<string, LoggedEvent[]>();
  for (const e of events) {
    const list = byTicket.get(e.ticket_id) ?? [];
    list.push({ type: e.type, at: new Date(e.at), actor: e.actor, data: e.data });
    byTicket.set(e.ticket_id, list);
  }
  const policies = await policySnapshotsByIds(tx, [...new Set(tickets.flatMap((t) => (t.policy_id ? [t.policy_id] : [])))]);

  const ticketRows: Array<Insertable<ReportTicketsTable>> = [];
  const clockRows: Array<Insertable<ReportClocksTable>> = [];
  for (const t of tickets) {
    const policy = t.policy_id ? (policies.get(t.policy_id) ?? null) : null;
    const s = summarizeTicket(new Date(t.created_at).getTime(), t.status as TicketStatus, policy, byTicket.get(t.id) ?? []);
    const dims = { ticket_id: t.id, number: t.number, organization_id: t.organization_id, tier: t.tier, priority: t.priority, policy_id: policy ? t.policy_id : null, policy_name: policy?.name ?? null, assignee: t.assignee };
    const at = (ms: number | null) => (ms === null ? null : new Date(ms));
    ticketRows.push({
      ...dims,
      status: s.status,
      created_at: new Date(s.createdAt),
      first_reply_at: at(s.firstReplyAt),
      first_reply_by: s.firstReplyBy,
      first_reply_business_ms: s.firstReplyBusinessMs,
      solved_at: at(s.solvedAt),
      resolution_business_ms: s.resolutionBusinessMs,
      reopens: s.reopens,
    });
    for (const c of s.clocks) {
      clockRows.push({ ...dims, clock: c.clock, cycle: c.cycle, started_at: new Date(c.startedAt), target_minutes: c.targetMinutes, due_at: at(c.dueAt), met_at: at(c.metAt), business_ms: c.businessMs });
    }
  }
  await tx.deleteFrom('report_clocks').where('ticket_id', 'in', ticketIds).execute();
  for (let i = 0; i < clockRows.length; i += INSERT_CHUNK) await tx.insertInto('report_clocks').values(clockRows.slice(i, i + INSERT_CHUNK)).execute();
  for (let i = 0; i < ticketRows.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('report_tickets')
      .values(ticketRows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) =>
        oc.column('ticket_id').doUpdateSet((eb) => ({
          organization_id: eb.ref('excluded.organization_id'),
          tier: eb.ref('excluded.tier'),
          priority: eb.ref('excluded.priority'),
          policy_id: eb.ref('excluded.policy_id'),
          policy_name: eb.ref('excluded.policy_name'),
          assignee: eb.ref('excluded.assignee'),
          status: eb.ref('excluded.status'),
          first_reply_at: eb.ref('excluded.first_reply_at'),
          first_reply_by: eb.ref('excluded.first_reply_by'),
          first_reply_business_ms: eb.ref('excluded.first_reply_business_ms'),
          solved_at: eb.ref('excluded.solved_at'),
          resolution_business_ms: eb.ref('excluded.resolution_business_ms'),
          reopens: eb.ref('excluded.reopens'),
          refreshed_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}

/** One batch of queued tickets: how many queue rows it took (0 when none waited). */
export async function refreshReportBatch(db: Kysely<Database>, batchSize = 1_000): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${REFRESH_LOCK})`.execute(tx);
    const queued = await tx.selectFrom('report_dirty').select(['id', 'ticket_id']).orderBy('id').limit(batchSize).execute();
    if (queued.length === 0) return 0;
    await refreshTickets(tx, [...new Set(queued.map((q) => q.ticket_id))]);
    await tx.deleteFrom('report_dirty').where('id', '<=', queued[queued.length - 1]!.id).where('id', 'in', queued.map((q) => q.id)).execute();
    return queued.length;
  });
}

/** Refreshes until the queue is empty (what a report read does first, so it never answers from stale rows). */
export async function refreshReports(db: Kysely<Database>, batchSize = 1_000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await refreshReportBatch(db, batchSize);
    total += n;
    if (n < batchSize) return total;
  }
}

/** The worker's background refresher: keeps the queue short so report reads rarely wait for it. */
export function startReportRefresher(db: Kysely<Database>, log: Logger, everyMs = 2_000): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = refreshReports(db)
      .then(() => undefined)
      .catch((err: unknown) => log.warn({ err }, 'report refresh failed; retrying on the next pass'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
