/**
 * Routing (issue 15): groups (queues) of agents with a strategy and release settings, each
 * agent's routing profile (status, capacity, calendar, days off, languages, skills), the
 * ordered rules that send a ticket to a group with the skills it needs, and the decisions the
 * routing workflow made (why a ticket went where it went). A ticket keeps the group and the
 * skills its matching rule asked for.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('routing_groups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('strategy', 'text', (c) =>
      c.notNull().defaultTo('deadline_aware').check(sql`strategy in ('round_robin', 'least_loaded', 'skill_based', 'deadline_aware')`),
    )
    .addColumn('release_on_offline', 'boolean', (c) => c.notNull().defaultTo(true))
    // Null: an away agent keeps their tickets however long they are away.
    .addColumn('away_release_minutes', 'integer', (c) => c.check(sql`away_release_minutes >= 0`))
    .addColumn('release_on_shift_end', 'boolean', (c) => c.notNull().defaultTo(true))
    // The time an agent needs to answer: eligible only if min(shift end, deadline) - now >= this.
    .addColumn('answer_minutes', 'integer', (c) => c.notNull().defaultTo(30).check(sql`answer_minutes >= 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('routing_group_members')
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('routing_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('routing_group_members_pk', ['group_id', 'user_id'])
    .execute();
  // "Which groups is this agent in" is asked on every status change.
  await db.schema.createIndex('routing_group_members_user').on('routing_group_members').column('user_id').execute();

  await db.schema
    .createTable('agent_profiles')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('offline').check(sql`status in ('online', 'away', 'offline')`))
    .addColumn('status_since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(5).check(sql`capacity >= 0`))
    .addColumn('capacity_by_priority', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Null: always working (no shifts). Otherwise the same calendars SLA policies use.
    .addColumn('calendar_id', 'uuid', (c) => c.references('calendars.id'))
    .addColumn('days_off', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('languages', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('skills', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('round_robin_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('routing_rules')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('position', 'integer', (c) => c.notNull().check(sql`position >= 0`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('conditions', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // A group with rules pointing at it cannot be deleted: the rules would route nowhere.
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('routing_groups.id'))
    .addColumn('required_skills', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Deferred, so a reorder can swap positions inside one transaction.
  await sql`alter table routing_rules add constraint routing_rules_position_unique unique (position) deferrable initially deferred`.execute(db);

  await db.schema
    .createTable('routing_decisions')
    // Deterministic, chosen by the routing workflow: a retried activity never writes twice.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    // No foreign key: decisions are history and outlive a deleted group.
    .addColumn('group_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('queued', 'assigned', 'released', 'unroutable')`))
    .addColumn('agent_user_id', 'uuid')
    .addColumn('strategy', 'text')
    .addColumn('reason', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('routing_decisions_ticket').on('routing_decisions').columns(['ticket_id', 'at']).execute();

  await db.schema
    .alterTable('tickets')
    .addColumn('routing_group_id', 'uuid', (c) => c.references('routing_groups.id').onDelete('set null'))
    .addColumn('required_skills', 'jsonb')
    .execute();
  // A group's unassigned queue and agents' loads are read by group.
  await sql`create index tickets_routing_group_open on tickets (routing_group_id) where routing_group_id is not null and status not in ('solved', 'closed', 'cancelled')`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
