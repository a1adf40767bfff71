/**
 * The repeating clocks: next reply and update cadence on SLA policies (each with its own
 * ladder), update cadence on incident policies, and the ticket row's next-reply columns the
 * breach and at-risk lists read. Existing policies get no new clock (null targets).
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

const TICKET_LADDER = JSON.stringify([{ percent: 80, actions: [] }, { percent: 100, actions: [] }, { percent: 120, actions: [] }]);
const UPDATE_LADDER = JSON.stringify([{ percent: 80, actions: [{ type: 'notify', role: 'assignee' }] }, { percent: 100, actions: [{ type: 'escalate', role: 'manager' }] }]);
const INCIDENT_UPDATE_LADDER = JSON.stringify([{ percent: 80, actions: [{ type: 'notify', role: 'incident_commander' }] }, { percent: 100, actions: [{ type: 'escalate', role: 'incident_manager' }] }]);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sla_policies')
    .addColumn('next_reply_minutes', 'integer')
    .addColumn('next_reply_escalations', 'jsonb', (c) => c.notNull().defaultTo(sql`${sql.lit(TICKET_LADDER)}::jsonb`))
    .addColumn('update_every_minutes', 'integer')
    .addColumn('update_escalations', 'jsonb', (c) => c.notNull().defaultTo(sql`${sql.lit(UPDATE_LADDER)}::jsonb`))
    .execute();
  await db.schema
    .alterTable('incident_policies')
    .addColumn('update_every_minutes', 'integer')
    .addColumn('update_escalations', 'jsonb', (c) => c.notNull().defaultTo(sql`${sql.lit(INCIDENT_UPDATE_LADDER)}::jsonb`))
    .execute();
  await db.schema
    .alterTable('tickets')
    .addColumn('nr_due_at', 'timestamptz')
    .addColumn('nr_at_risk_at', 'timestamptz')
    .addColumn('nr_breaches', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
