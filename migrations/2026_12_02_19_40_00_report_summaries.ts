/**
 * Report summaries: one row per ticket (dimensions, first reply, solve, reopens) and one per
 * SLA clock (start, due, met, business time), computed from the event log by the same pure
 * SLA code the ticket workflow plans with (src/domain/reports). A trigger on ticket_events
 * queues every ticket that gained an event in report_dirty, in the event's own transaction,
 * so whoever writes the log (activities, a bulk load) keeps the summaries current without
 * knowing of them; the refresher recomputes the queued tickets and deletes what it took.
 * Existing tickets are queued once here. Frozen in time: it takes Kysely<any>.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_dirty')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('ticket_id', 'uuid', (c) => c.notNull())
    .execute();
  // Statement-level with a transition table: a bulk insert queues each ticket once, not once per event.
  await sql`create function report_queue_tickets() returns trigger language plpgsql as $$
    begin
      insert into report_dirty (ticket_id) select distinct ticket_id from added;
      return null;
    end $$`.execute(db);
  await sql`create trigger ticket_events_report_queue after insert on ticket_events
    referencing new table as added for each statement execute function report_queue_tickets()`.execute(db);

  const dims = (t: ReturnType<Kysely<any>['schema']['createTable']>) =>
    t
      .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('organization_id', 'uuid', (c) => c.notNull())
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'uuid')
      .addColumn('policy_name', 'text')
      .addColumn('assignee', 'text');

  await dims(db.schema.createTable('report_tickets'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('first_reply_at', 'timestamptz')
    .addColumn('first_reply_by', 'text')
    .addColumn('first_reply_business_ms', 'bigint')
    .addColumn('solved_at', 'timestamptz')
    .addColumn('resolution_business_ms', 'bigint')
    .addColumn('reopens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refreshed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('report_tickets_pk', ['ticket_id'])
    .execute();
  await db.schema.createIndex('report_tickets_created').on('report_tickets').column('created_at').execute();
  await db.schema.createIndex('report_tickets_solved').on('report_tickets').column('solved_at').where(sql.ref('solved_at'), 'is not', null).execute();
  await db.schema.createIndex('report_tickets_first_reply').on('report_tickets').column('first_reply_at').where(sql.ref('first_reply_at'), 'is not', null).execute();
  await db.schema.createIndex('report_tickets_backlog').on('report_tickets').columns(['status', 'created_at']).where(sql<boolean>`status in ('new', 'open', 'pending', 'on_hold')`).execute();

  await dims(db.schema.createTable('report_clocks'))
    .addColumn('clock', 'text', (c) => c.notNull())
    .addColumn('cycle', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('target_minutes', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz')
    .addColumn('met_at', 'timestamptz')
    .addColumn('business_ms', 'bigint')
    .addPrimaryKeyConstraint('report_clocks_pk', ['ticket_id', 'clock', 'cycle'])
    .execute();
  // A clock is decided when it is met, or (unmet) when its due passes: one index for each way.
  await db.schema.createIndex('report_clocks_met').on('report_clocks').column('met_at').where(sql.ref('met_at'), 'is not', null).execute();
  await db.schema.createIndex('report_clocks_unmet_due').on('report_clocks').column('due_at').where(sql<boolean>`met_at is null and due_at is not null`).execute();

  await sql`insert into report_dirty (ticket_id) select id from tickets`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
