/**
 * Contracts and service credits: what an organization was promised and what a broken promise
 * costs. A contract holds the period, the fee in integer minor units of its currency and the
 * credit rules (JSON, validated at the edge: src/domain/contracts/credit-rules.ts). A breach
 * excluded by a manager is a row here, keyed by the breach's event id (one live exclusion per
 * breach; an undone one keeps its row, so the history stays). A closed period's statement is
 * frozen as JSON: later changes never alter what was final.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contracts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().unique().references('organizations.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ('monthly', 'quarterly')`))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // Integer minor units: money is never a float.
    .addColumn('fee_minor', 'bigint', (c) => c.notNull().check(sql`fee_minor >= 0`))
    .addColumn('starts_on', 'text', (c) => c.notNull().check(sql`starts_on ~ '^[0-9]{4}-[0-9]{2}-01$'`))
    .addColumn('rules', 'jsonb', (c) => c.notNull())
    .addColumn('cap_bp', 'integer', (c) => c.check(sql`cap_bp between 0 and 10000`))
    .addColumn('customer_visible', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('breach_exclusions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('breach_event_id', 'text', (c) => c.notNull().references('ticket_events.id'))
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('customer_caused', 'planned_maintenance', 'force_majeure', 'duplicate')`))
    .addColumn('note', 'text')
    .addColumn('incident_id', 'uuid')
    .addColumn('excluded_by', 'text', (c) => c.notNull())
    .addColumn('excluded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('undone_by', 'text')
    .addColumn('undone_at', 'timestamptz')
    .execute();
  // One live exclusion per breach: a second one is a conflict, an undone one leaves room.
  await db.schema.createIndex('breach_exclusions_live').on('breach_exclusions').column('breach_event_id').unique().where(sql.ref('undone_at'), 'is', null).execute();
  await db.schema.createIndex('breach_exclusions_ticket').on('breach_exclusions').column('ticket_id').execute();

  await db.schema
    .createTable('contract_statements')
    .addColumn('contract_id', 'uuid', (c) => c.notNull().references('contracts.id'))
    .addColumn('period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('period_end', 'timestamptz', (c) => c.notNull())
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contract_statements_pk', ['contract_id', 'period_start'])
    .execute();
  // Statements are found by organization and period; breaches by type and due instant.
  await db.schema.createIndex('contract_statements_org').on('contract_statements').columns(['organization_id', 'period_key']).execute();
  await sql`create index ticket_events_breaches on ticket_events (ticket_id, ((data->>'dueAt'))) where type = 'sla.breached'`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
