/**
 * Follows what the workflows write, as a reader of the store sees it: Pacer's event log
 * (`ticket.created` — the first workflow task ran; `sla.breached` — the breach step ran)
 * and the bare workflows' rows in bench_marks, both tailed by their sequence number every
 * `pollMs`. Each row is kept with the instant this process first saw it, its workflow-clock
 * `at` and, for a breach, the instant it was scheduled for.
 *
 * On a PostgreSQL server, writers on several connections take sequence numbers before they
 * commit, so a row can become visible after one with a higher number: each poll reads again
 * from `lookback` numbers below the highest seen (rows already seen are skipped), so such a
 * row is not lost. PGlite has one connection, so nothing commits out of order there.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema';

export interface Sighting {
  /** Date.now() of the poll that first returned the row. */
  seen: number;
  /** The row's `at` (workflow clock when its task ran), ms. */
  at: number;
  /** A breach's scheduled instant, ms; null for a first-task row. */
  scheduledAt: number | null;
}

export type Kind = 'created' | 'breached';

export interface LogTail {
  /** Keyed by ticket id (Pacer) or bare workflow id. */
  readonly created: Map<string, Sighting>;
  readonly breached: Map<string, Sighting>;
  /** Resolves once every id in `ids` has a row of `kind`, or with false when `deadline` (epoch ms) passes first. */
  waitFor(kind: Kind, ids: readonly string[], deadline: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function tailLog(db: Kysely<Database>, opts: { pollMs?: number; lookback: number }): LogTail {
  const pollMs = opts.pollMs ?? 100;
  const created = new Map<string, Sighting>();
  const breached = new Map<string, Sighting>();
  let eventSeq = '0';
  let markSeq = '0';
  let running = true;
  const poll = async () => {
    const events = await sql<{ seq: string; ticket_id: string; type: string; at: Date; scheduled_at: string | null }>`
      select seq, ticket_id, type, at, data->>'scheduledAt' as scheduled_at from ticket_events
      where seq > ${String(BigInt(eventSeq) - BigInt(opts.lookback))} and type in ('ticket.created', 'sla.breached') order by seq limit 5000`.execute(db);
    const marks = await sql<{ seq: string; workflow_id: string; kind: Kind; at: Date; scheduled_at: Date | null }>`
      select seq, workflow_id, kind, at, scheduled_at from bench_marks where seq > ${String(BigInt(markSeq) - BigInt(opts.lookback))} order by seq limit 5000`.execute(db);
    const seen = Date.now();
    for (const r of events.rows) {
      if (BigInt(r.seq) > BigInt(eventSeq)) eventSeq = r.seq;
      const into = r.type === 'ticket.created' ? created : breached;
      if (!into.has(r.ticket_id)) into.set(r.ticket_id, { seen, at: new Date(r.at).getTime(), scheduledAt: r.scheduled_at === null ? null : Date.parse(r.scheduled_at) });
    }
    for (const r of marks.rows) {
      if (BigInt(r.seq) > BigInt(markSeq)) markSeq = r.seq;
      const into = r.kind === 'created' ? created : breached;
      if (!into.has(r.workflow_id)) into.set(r.workflow_id, { seen, at: new Date(r.at).getTime(), scheduledAt: r.scheduled_at === null ? null : new Date(r.scheduled_at).getTime() });
    }
    // A full page means more rows wait beyond it: read on at once.
    return events.rows.length === 5000 || marks.rows.length === 5000;
  };
  const loop = (async () => {
    while (running) {
      const more = await poll();
      if (!more) await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  return {
    created,
    breached,
    async waitFor(kind, ids, deadline) {
      const map = kind === 'created' ? created : breached;
      let from = 0;
      for (;;) {
        while (from < ids.length && map.has(ids[from]!)) from++;
        if (from === ids.length) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
