/**
 * Incident events reach outbound webhook subscribers like ticket events: a delivery names
 * either a ticket event (`event_id`) or an incident event (`incident_event_id`), never both,
 * each with its foreign key, so the delivery rows, ids (`<event id>><subscription id>`),
 * retries and signature stay one mechanism. Existing rows are ticket deliveries.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table webhook_deliveries alter column event_id drop not null`.execute(db);
  await sql`alter table webhook_deliveries add column incident_event_id text references incident_events (id)`.execute(db);
  await sql`alter table webhook_deliveries add constraint webhook_deliveries_one_event check ((event_id is null) <> (incident_event_id is null))`.execute(db);
  await sql`create index webhook_deliveries_incident_event on webhook_deliveries (incident_event_id) where incident_event_id is not null`.execute(db);
}
