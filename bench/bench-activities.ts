/**
 * The activity of the benchmarks' bare workflows: one row written to PostgreSQL, as a
 * ticket's first record and its breach step write theirs. The table lives in the bench's
 * own database beside Pacer's, and bench/log-tail.ts reads it as it reads the event log.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema';

export interface BenchMark {
  id: string;
  kind: 'created' | 'breached';
  /** The instant the bare timer was set for (ms), null for the first task's row. */
  scheduledAt: number | null;
  /** The workflow clock when the task that writes the row ran (ms). */
  at: number;
}

export async function createBenchMarksTable(db: Kysely<Database>): Promise<void> {
  await sql`create table if not exists bench_marks (
    id text primary key,
    seq bigserial not null unique,
    workflow_id text not null,
    kind text not null,
    scheduled_at timestamptz,
    at timestamptz not null
  )`.execute(db);
}

export function benchActivities(db: Kysely<Database>) {
  return {
    async benchMark(m: BenchMark): Promise<void> {
      await sql`insert into bench_marks (id, workflow_id, kind, scheduled_at, at)
        values (${`${m.id}:${m.kind}`}, ${m.id}, ${m.kind}, ${m.scheduledAt === null ? null : new Date(m.scheduledAt)}, ${new Date(m.at)})
        on conflict (id) do nothing`.execute(db);
    },
  };
}

export type BenchActivities = ReturnType<typeof benchActivities>;
