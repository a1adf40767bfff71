/**
 * Incidents and the status page: incidents with their SLA snapshot (acknowledgement and
 * resolution), their append-only timeline, public and internal updates, linked tickets,
 * outside links (PagerDuty alerts), post-mortems, per-severity policies, service components
 * and the history of their impact (the status page's uptime is computed from it), and
 * status-page subscribers. Tickets' SLA policies learn whether a linked incident pauses them.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('incident_policies')
    .addColumn('severity', 'text', (c) => c.primaryKey())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('acknowledge_minutes', 'integer', (c) => c.notNull())
    .addColumn('resolve_minutes', 'integer', (c) => c.notNull())
    // Null: around the clock.
    .addColumn('calendar_id', 'uuid', (c) => c.references('calendars.id'))
    .addColumn('acknowledgement_escalations', 'jsonb', (c) => c.notNull())
    .addColumn('resolution_escalations', 'jsonb', (c) => c.notNull())
    .addColumn('postmortem_required', 'boolean', (c) => c.notNull())
    .addColumn('postmortem_reminder_hours', 'jsonb', (c) => c.notNull())
    .addColumn('solve_linked_tickets', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('commander', 'text')
    .addColumn('responders', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('affected_customers', 'integer')
    .addColumn('affected_components', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('source_ticket_id', 'uuid')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('state_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ack_due_at', 'timestamptz')
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'text')
    .addColumn('res_due_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('postmortem_required', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_list').on('incidents').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('incidents_status').on('incidents').columns(['status', 'created_at']).execute();

  // Same contract as ticket_events: deterministic ids, seq for a total order.
  await db.schema
    .createTable('incident_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('incident_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_events_incident').on('incident_events').columns(['incident_id', 'seq']).execute();

  await db.schema
    .createTable('incident_updates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('public', 'boolean', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_updates_incident').on('incident_updates').columns(['incident_id', 'created_at']).execute();

  await db.schema
    .createTable('incident_tickets')
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id'))
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('linked_by', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_tickets_pk', ['incident_id', 'ticket_id'])
    .execute();
  await db.schema.createIndex('incident_tickets_ticket').on('incident_tickets').column('ticket_id').execute();

  await db.schema
    .createTable('incident_links')
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('external_key', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('incident_links_pk', ['incident_id', 'kind', 'external_key'])
    .execute();
  await db.schema.createIndex('incident_links_external').on('incident_links').columns(['kind', 'external_key']).execute();

  await db.schema
    .createTable('incident_postmortems')
    .addColumn('incident_id', 'uuid', (c) => c.primaryKey().references('incidents.id'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('root_cause', 'text', (c) => c.notNull())
    .addColumn('action_items', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'uuid', (c) => c.notNull())
    .addColumn('incident_input', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('incident_idempotency_keys_pk', ['scope', 'key'])
    .execute();

  await db.schema
    .createTable('components')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('group_name', 'text')
    .addColumn('description', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    // What an administrator set by hand (planned maintenance, a known degradation); an
    // active incident's impact shows on top of it.
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('operational'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // One row per stretch of time an incident held a component at an impact: the status
  // page's uptime history. ended_at null while it lasts.
  await db.schema
    .createTable('component_impacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('component_id', 'uuid', (c) => c.notNull().references('components.id').onDelete('cascade'))
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id'))
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('component_impacts_component').on('component_impacts').columns(['component_id', 'started_at']).execute();
  await db.schema.createIndex('component_impacts_incident').on('component_impacts').column('incident_id').execute();

  await db.schema
    .createTable('status_subscribers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('unsubscribed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A ticket linked to an active incident waits on it (pause reason "incident") unless its
  // policy says otherwise.
  await db.schema.alterTable('sla_policies').addColumn('pause_on_incident', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
