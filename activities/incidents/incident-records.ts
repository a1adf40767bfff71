/**
 * Activities that write an incident's record, timeline, updates, linked tickets, post-mortem
 * and the impact it holds its components at. Every write is idempotent: rows are keyed by
 * ids the workflow chose deterministically, and incident fields only move forward by state
 * version, so retries and replays land once.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../src/db/schema';
import { type IncidentFacts, type IncidentPolicySnapshot } from '../../workflows/contract/incident';
import { createdEventId, type IncidentEvent } from '../../workflows/contract/events';
import type { ApplyIncidentChangeInput, PendingDelivery } from '../../workflows/contract/records';
import { appendEvents } from '../../src/db/repositories/event-log';
import { newIncidentRow } from '../../src/db/rows/incident-rows';
import { observeRecordedEvents } from '../ladder-metrics';

type Db = Kysely<Database> | Transaction<Database>;

/** Appends incident events (once each) and answers the webhook deliveries still owed for them, as a ticket's (src/db/repositories/event-log.ts). */
export async function insertIncidentEvents(db: Db, incidentId: string, events: IncidentEvent[]): Promise<PendingDelivery[]> {
  return appendEvents(db, 'incident', incidentId, events);
}

/**
 * Brings the incident's open impact stretches in line with what it holds now: stretches of
 * components it no longer affects (or at another impact, or once it is no longer active)
 * end at `at`; components newly held start one. Ids carry the state version, so a retry
 * inserts nothing twice; components deleted meanwhile are skipped.
 */
async function reconcileImpacts(db: Db, change: Pick<ApplyIncidentChangeInput, 'incidentId' | 'stateVersion' | 'at' | 'impact'>): Promise<void> {
  const { components, impact, active } = change.impact;
  const held = active ? components : [];
  const open = await db.selectFrom('component_impacts').select(['id', 'component_id', 'impact']).where('incident_id', '=', change.incidentId).where('ended_at', 'is', null).execute();
  const ending = open.filter((r) => !held.includes(r.component_id) || r.impact !== impact).map((r) => r.id);
  if (ending.length) await db.updateTable('component_impacts').set({ ended_at: change.at }).where('id', 'in', ending).execute();
  const stillOpen = new Set(open.filter((r) => !ending.includes(r.id)).map((r) => r.component_id));
  const starting = held.filter((c) => !stillOpen.has(c));
  if (starting.length === 0) return;
  await sql`
    insert into component_impacts (id, component_id, incident_id, impact, started_at)
    select ${change.incidentId} || ':' || c.id || ':' || ${String(change.stateVersion)}, c.id, ${change.incidentId}::uuid, ${impact}, ${change.at}::timestamptz
    from components c where c.id = any(${starting}::uuid[])
    on conflict (id) do nothing`.execute(db);
}

export function createIncidentRecordActivities(db: Kysely<Database>) {
  return {
    /** Makes sure the incident exists (the API normally wrote it already) with its first timeline entry and impact. */
    async initIncidentRecord(input: { incident: IncidentFacts; policy: IncidentPolicySnapshot; change: ApplyIncidentChangeInput }): Promise<PendingDelivery[]> {
      const i = input.incident;
      return db.transaction().execute(async (tx) => {
        await tx.insertInto('incidents').values(newIncidentRow(i, input.policy, input.change)).onConflict((oc) => oc.column('id').doNothing()).execute();
        if (i.sourceTicketId) {
          await tx
            .insertInto('incident_tickets')
            .values({ incident_id: i.id, ticket_id: i.sourceTicketId, linked_by: i.createdBy, linked_at: i.createdAt })
            .onConflict((oc) => oc.columns(['incident_id', 'ticket_id']).doNothing())
            .execute();
        }
        const deliveries = await insertIncidentEvents(tx, i.id, [
          {
            id: createdEventId(i.id),
            type: 'incident.created',
            at: i.createdAt,
            actor: i.createdBy,
            visibility: 'public',
            data: { number: i.number, title: i.title, severity: i.severity, impact: i.impact, affectedComponents: i.affectedComponents, sourceTicketId: i.sourceTicketId, ackDueAt: input.change.ackDueAt, resDueAt: input.change.resDueAt },
          },
        ]);
        await reconcileImpacts(tx, input.change);
        return deliveries;
      });
    },

    async applyIncidentChange(c: ApplyIncidentChangeInput): Promise<PendingDelivery[]> {
      return db.transaction().execute(async (tx) => {
        const f = c.fields;
        await tx
          .updateTable('incidents')
          .set({
            ...(f.status !== undefined && { status: f.status }),
            ...(f.severity !== undefined && { severity: f.severity }),
            ...(f.title !== undefined && { title: f.title }),
            ...(f.description !== undefined && { description: f.description }),
            ...(f.commander !== undefined && { commander: f.commander }),
            ...(f.responders !== undefined && { responders: JSON.stringify(f.responders) }),
            ...(f.impact !== undefined && { impact: f.impact }),
            ...(f.affectedComponents !== undefined && { affected_components: JSON.stringify(f.affectedComponents) }),
            ...(f.affectedCustomers !== undefined && { affected_customers: f.affectedCustomers }),
            ...(f.acknowledgedAt !== undefined && { acknowledged_at: f.acknowledgedAt }),
            ...(f.acknowledgedBy !== undefined && { acknowledged_by: f.acknowledgedBy }),
            ...(f.resolvedAt !== undefined && { resolved_at: f.resolvedAt }),
            ...(f.closedAt !== undefined && { closed_at: f.closedAt }),
            ...(f.postmortemRequired !== undefined && { postmortem_required: f.postmortemRequired }),
            ack_due_at: c.ackDueAt,
            res_due_at: c.resDueAt,
            state_version: c.stateVersion,
            updated_at: c.at,
          })
          .where('id', '=', c.incidentId)
          .where('state_version', '<', c.stateVersion)
          .execute();
        if (c.update) {
          const u = c.update;
          await tx
            .insertInto('incident_updates')
            .values({ id: u.id, incident_id: c.incidentId, status: u.status, body: u.body, public: u.public, author: u.author, created_at: u.at })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        }
        if (c.link) {
          await tx
            .insertInto('incident_tickets')
            .values({ incident_id: c.incidentId, ticket_id: c.link.ticketId, linked_by: c.link.by, linked_at: c.at })
            .onConflict((oc) => oc.columns(['incident_id', 'ticket_id']).doNothing())
            .execute();
        }
        if (c.unlink) await tx.deleteFrom('incident_tickets').where('incident_id', '=', c.incidentId).where('ticket_id', '=', c.unlink.ticketId).execute();
        if (c.postmortem) {
          const p = c.postmortem;
          const values = { summary: p.summary, root_cause: p.rootCause, action_items: JSON.stringify(p.actionItems), recorded_by: p.by, recorded_at: c.at };
          await tx
            .insertInto('incident_postmortems')
            .values({ incident_id: c.incidentId, ...values })
            .onConflict((oc) => oc.column('incident_id').doUpdateSet(values))
            .execute();
        }
        const deliveries = await insertIncidentEvents(tx, c.incidentId, c.events);
        await reconcileImpacts(tx, c);
        return deliveries;
      });
    },

    async recordIncidentEvents(input: { incidentId: string; events: IncidentEvent[] }): Promise<PendingDelivery[]> {
      const deliveries = await insertIncidentEvents(db, input.incidentId, input.events);
      observeRecordedEvents('incident', input.events);
      return deliveries;
    },
  };
}
