/** Contracts, breach exclusions, frozen statements, and the event-log facts a statement is computed from. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Db } from '../schema';
import type { TicketEvent } from '../../../workflows/contract/events';

type Tx = Kysely<Database> | Transaction<Database>;

export interface ContractRow {
  id: string;
  organization_id: string;
  period: string;
  timezone: string;
  currency: string;
  fee_minor: string;
  starts_on: string;
  rules: unknown;
  cap_bp: number | null;
  customer_visible: boolean;
  created_at: Date;
  updated_at: Date;
}

const contractColumns = ['id', 'organization_id', 'period', 'timezone', 'currency', sql<string>`fee_minor::text`.as('fee_minor'), 'starts_on', 'rules', 'cap_bp', 'customer_visible', 'created_at', 'updated_at'] as const;

export const findContractOfOrganization = (db: Db, organizationId: string): Promise<ContractRow | undefined> =>
  db.selectFrom('contracts').select(contractColumns).where('organization_id', '=', organizationId).executeTakeFirst();

export const findContract = (db: Db, id: string): Promise<ContractRow | undefined> => db.selectFrom('contracts').select(contractColumns).where('id', '=', id).executeTakeFirst();

export const listContractIds = async (db: Db): Promise<string[]> => (await db.selectFrom('contracts').select('id').execute()).map((r) => r.id);

export interface ContractFields {
  period: string;
  timezone: string;
  currency: string;
  feeMinor: bigint;
  startsOn: string;
  rules: unknown;
  capBp: number | null;
  customerVisible: boolean;
}

/** One contract per organization: a PUT replaces its terms (closed statements stay as they were frozen). */
export async function upsertContract(db: Db, id: string, organizationId: string, f: ContractFields): Promise<ContractRow> {
  const values = { period: f.period, timezone: f.timezone, currency: f.currency, fee_minor: f.feeMinor.toString(), starts_on: f.startsOn, rules: JSON.stringify(f.rules), cap_bp: f.capBp, customer_visible: f.customerVisible };
  await db
    .insertInto('contracts')
    .values({ id, organization_id: organizationId, ...values })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
  return (await findContractOfOrganization(db, organizationId))!;
}

// ---- the facts a statement counts ------------------------------------------------------

export interface ClockFactRow {
  id: string;
  ticket_id: string;
  number: string;
  /** The ticket's priority now: what a clock met before any recorded priority counts as. */
  priority: string;
  type: string;
  at: Date;
  data: unknown;
}

/**
 * The events that decide an organization's clocks, for every ticket with a breach due or a
 * clock met in [from, to): breaches, first-response mets, status changes, reopens and the
 * priority (created, retargeted) — all of those tickets' events of these types, in order, since
 * a resolution's cycle is the count of reopens before it, whenever they were.
 */
export async function clockFacts(db: Db, organizationId: string, from: Date, to: Date): Promise<ClockFactRow[]> {
  const { rows } = await sql<ClockFactRow>`
    with touched as (
      select distinct e.ticket_id from ticket_events e join tickets t on t.id = e.ticket_id
      where t.organization_id = ${organizationId}
        and ((e.type = 'sla.breached' and (e.data->>'dueAt')::timestamptz >= ${from} and (e.data->>'dueAt')::timestamptz < ${to})
          or (e.type in ('sla.first_response_met', 'ticket.status_changed') and e.at >= ${from} and e.at < ${to}))
    )
    select e.id, e.ticket_id, t.number, t.priority, e.type, e.at, e.data
    from ticket_events e join touched using (ticket_id) join tickets t on t.id = e.ticket_id
    where e.type in ('sla.breached', 'sla.first_response_met', 'ticket.status_changed', 'ticket.reopened', 'ticket.created', 'ticket.retargeted')
    order by e.ticket_id, e.at, e.seq`.execute(db);
  return rows;
}

// ---- exclusions ------------------------------------------------------------------------

export interface ExclusionRow {
  id: string;
  breach_event_id: string;
  ticket_id: string;
  reason: string;
  note: string | null;
  incident_id: string | null;
  excluded_by: string;
  excluded_at: Date;
  undone_by: string | null;
  undone_at: Date | null;
}

/** The live exclusion of each of these breaches. */
export async function liveExclusions(db: Db, breachEventIds: string[]): Promise<Map<string, ExclusionRow>> {
  if (breachEventIds.length === 0) return new Map();
  const rows = await db.selectFrom('breach_exclusions').selectAll().where('breach_event_id', 'in', breachEventIds).where('undone_at', 'is', null).execute();
  return new Map(rows.map((r) => [r.breach_event_id, r]));
}

export const findExclusion = (db: Db, id: string): Promise<ExclusionRow | undefined> => db.selectFrom('breach_exclusions').selectAll().where('id', '=', id).executeTakeFirst();

export interface BreachEventRow {
  id: string;
  ticket_id: string;
  organization_id: string;
  data: unknown;
}

/** A ticket's `sla.breached` event, with the ticket's organization. */
export const findBreachEvent = (db: Db, eventId: string): Promise<BreachEventRow | undefined> =>
  db
    .selectFrom('ticket_events as e')
    .innerJoin('tickets as t', 't.id', 'e.ticket_id')
    .select(['e.id', 'e.ticket_id', 't.organization_id', 'e.data'])
    .where('e.id', '=', eventId)
    .where('e.type', '=', 'sla.breached')
    .executeTakeFirst();

/** Every breach of the tickets linked to an incident (now or ever). */
export const breachesOfIncident = (db: Db, incidentId: string): Promise<BreachEventRow[]> =>
  db
    .selectFrom('ticket_events as e')
    .innerJoin('tickets as t', 't.id', 'e.ticket_id')
    .select(['e.id', 'e.ticket_id', 't.organization_id', 'e.data'])
    .where('e.type', '=', 'sla.breached')
    .where('e.ticket_id', 'in', db.selectFrom('incident_tickets').select('ticket_id').where('incident_id', '=', incidentId))
    .orderBy('e.at')
    .execute();

export const insertExclusion = (db: Tx, row: Omit<ExclusionRow, 'excluded_at' | 'undone_by' | 'undone_at'>) => db.insertInto('breach_exclusions').values(row).execute();

/** Marks a live exclusion undone; false when it was not live (undone meanwhile). */
export async function markExclusionUndone(db: Tx, id: string, by: string): Promise<boolean> {
  const r = await db.updateTable('breach_exclusions').set({ undone_by: by, undone_at: new Date() }).where('id', '=', id).where('undone_at', 'is', null).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Timeline entries that are a manager's bookkeeping, not a ticket change: appended once each
 * (deterministic ids), not fanned out to webhook subscriptions (nothing would deliver them
 * outside a ticket's workflow).
 */
export async function appendBookkeepingEvents(db: Tx, ticketId: string, events: TicketEvent[]): Promise<void> {
  await db
    .insertInto('ticket_events')
    .values(events.map((e) => ({ id: e.id, ticket_id: ticketId, type: e.type, at: e.at, actor: e.actor, visibility: e.visibility, data: JSON.stringify(e.data) })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

// ---- statements ------------------------------------------------------------------------

export interface StatementRow {
  contract_id: string;
  period_start: Date;
  period_end: Date;
  period_key: string;
  organization_id: string;
  body: unknown;
  closed_at: Date;
}

/** Freezes a period's statement; a second close of the same period changes nothing (false). */
export async function insertStatement(db: Db, row: Omit<StatementRow, 'closed_at' | 'body'> & { body: unknown }): Promise<boolean> {
  const r = await db
    .insertInto('contract_statements')
    .values({ ...row, body: JSON.stringify(row.body) })
    .onConflict((oc) => oc.columns(['contract_id', 'period_start']).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export const findStatement = (db: Db, contractId: string, periodStart: Date): Promise<StatementRow | undefined> =>
  db.selectFrom('contract_statements').selectAll().where('contract_id', '=', contractId).where('period_start', '=', periodStart).executeTakeFirst();

export const listStatements = (db: Db, contractId: string): Promise<Array<Pick<StatementRow, 'period_key' | 'period_start' | 'period_end' | 'closed_at'>>> =>
  db.selectFrom('contract_statements').select(['period_key', 'period_start', 'period_end', 'closed_at']).where('contract_id', '=', contractId).orderBy('period_start', 'desc').execute();

/** The latest closed period's end, or null when none closed yet. */
export async function lastClosedEnd(db: Db, contractId: string): Promise<Date | null> {
  const r = await db.selectFrom('contract_statements').select('period_end').where('contract_id', '=', contractId).orderBy('period_start', 'desc').limit(1).executeTakeFirst();
  return r?.period_end ?? null;
}
