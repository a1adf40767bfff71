/** Incident reads for the API and the console: the row, its linked tickets, timeline updates, events and post-mortem. */
import type { Db, IncidentRow } from '../schema';
import { ACTIVE_INCIDENT_STATUSES } from '../../../workflows/contract/incident';

export const findIncidentRow = (db: Db, id: string): Promise<IncidentRow | undefined> =>
  db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();

/** The tickets linked to an incident, in the order they were linked. */
export const linkedTickets = (db: Db, incidentId: string) =>
  db
    .selectFrom('incident_tickets as l')
    .innerJoin('tickets as t', 't.id', 'l.ticket_id')
    .select(['t.id', 't.number', 't.subject', 't.status', 'l.linked_at', 'l.linked_by'])
    .where('l.incident_id', '=', incidentId)
    .orderBy('l.linked_at')
    .execute();

/** The tickets linked to any of these incidents, each with its incident's id, in link order. */
export const linkedTicketsOf = (db: Db, incidentIds: string[]) =>
  incidentIds.length
    ? db.selectFrom('incident_tickets as l').innerJoin('tickets as t', 't.id', 'l.ticket_id').select(['l.incident_id', 't.id', 't.number', 't.subject', 't.status']).where('l.incident_id', 'in', incidentIds).orderBy('l.linked_at').execute()
    : Promise.resolve([]);

/** The 50 newest active incidents (to link a ticket to). */
export const activeIncidentChoices = (db: Db) =>
  db.selectFrom('incidents').select(['id', 'number', 'title', 'severity']).where('status', 'in', [...ACTIVE_INCIDENT_STATUSES]).orderBy('created_at', 'desc').limit(50).execute();

/** The incidents a ticket is linked to, in link order. */
export const incidentsOfTicket = (db: Db, ticketId: string) =>
  db.selectFrom('incident_tickets as l').innerJoin('incidents as i', 'i.id', 'l.incident_id').select(['i.id', 'i.number', 'i.title', 'i.severity', 'i.status']).where('l.ticket_id', '=', ticketId).orderBy('l.linked_at').execute();

export const findPostmortem = (db: Db, incidentId: string) => db.selectFrom('incident_postmortems').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();

export const findIncidentUpdate = (db: Db, id: string) => db.selectFrom('incident_updates').selectAll().where('id', '=', id).executeTakeFirst();

export const listIncidentUpdates = (db: Db, incidentId: string) =>
  db.selectFrom('incident_updates').selectAll().where('incident_id', '=', incidentId).orderBy('created_at').orderBy('id').execute();

export const listIncidentEvents = (db: Db, incidentId: string) => db.selectFrom('incident_events').selectAll().where('incident_id', '=', incidentId).orderBy('seq').execute();
