/**
 * Satisfaction surveys: the row a sent survey writes (once per ticket), the rating written over
 * it (so a changed rating counts once), the link secret, and the score read per agent,
 * organization or priority over a period of rating.
 */
import crypto from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema';
import type { CsatRatingRecord } from '../../../workflows/contract/records';

type Db = Kysely<Database> | Transaction<Database>;

/** Writes the survey's row unless one exists; answers the row's link expiry (the first attempt's, on a retry). */
export async function insertSurvey(db: Db, ticketId: string, sentAt: string, expiresAt: string): Promise<Date> {
  await db.insertInto('csat_surveys').values({ ticket_id: ticketId, sent_at: sentAt, expires_at: expiresAt }).onConflict((oc) => oc.column('ticket_id').doNothing()).execute();
  const row = await db.selectFrom('csat_surveys').select('expires_at').where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
  return row.expires_at;
}

/** The ticket's rating, over any earlier one (with the organization the ticket belongs to). */
export async function recordRating(db: Db, ticketId: string, r: CsatRatingRecord): Promise<void> {
  await db
    .updateTable('csat_surveys')
    .set((eb) => ({
      rating: r.rating,
      reason: r.reason,
      comment: r.comment,
      assignee: r.assignee,
      priority: r.priority,
      organization_id: eb.selectFrom('tickets').select('organization_id').where('id', '=', ticketId),
      rated_at: r.ratedAt,
      updated_at: sql<Date>`now()`,
    }))
    .where('ticket_id', '=', ticketId)
    .execute();
}

export interface SurveyWithTicket {
  ticketId: string;
  number: string;
  subject: string;
  status: string;
  requesterEmail: string;
  sentAt: Date;
  expiresAt: Date;
  rating: number | null;
  reason: string | null;
  comment: string | null;
  assignee: string | null;
  ratedAt: Date | null;
}

export async function findSurvey(db: Db, ticketId: string): Promise<SurveyWithTicket | undefined> {
  const row = await db
    .selectFrom('csat_surveys as s')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .select(['s.ticket_id', 't.number', 't.subject', 't.status', 't.requester_email', 's.sent_at', 's.expires_at', 's.rating', 's.reason', 's.comment', 's.assignee', 's.rated_at'])
    .where('s.ticket_id', '=', ticketId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ticketId: row.ticket_id,
    number: row.number,
    subject: row.subject,
    status: row.status,
    requesterEmail: row.requester_email,
    sentAt: row.sent_at,
    expiresAt: row.expires_at,
    rating: row.rating,
    reason: row.reason,
    comment: row.comment,
    assignee: row.assignee,
    ratedAt: row.rated_at,
  };
}

/** Surveys among these tickets still waiting for a rating the customer may give (solved, link valid). */
export async function openSurveys(db: Db, ticketIds: string[], now: Date): Promise<Array<{ ticketId: string; expiresAt: Date; rating: number | null }>> {
  if (ticketIds.length === 0) return [];
  const rows = await db
    .selectFrom('csat_surveys as s')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .select(['s.ticket_id', 's.expires_at', 's.rating'])
    .where('s.ticket_id', 'in', ticketIds)
    .where('t.status', '=', 'solved')
    .where('s.expires_at', '>', now)
    .execute();
  return rows.map((r) => ({ ticketId: r.ticket_id, expiresAt: r.expires_at, rating: r.rating }));
}

/** The named secret, generated and stored by the first process that asks (a race keeps the first row). */
export async function serverSecret(db: Db, name: string): Promise<string> {
  await db.insertInto('server_secrets').values({ name, secret: crypto.randomBytes(32).toString('base64url') }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('server_secrets').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
  return row.secret;
}

export type ScoreGrouping = 'agent' | 'organization' | 'priority';

export interface ScoreRow {
  key: string | null;
  label: string | null;
  ratings: number;
  satisfied: number;
}

/** Ratings given in [from, to): all together, or per group. Each ticket has one row, so a changed rating counts once. */
export async function scoreRows(db: Db, range: { from: Date; to: Date }, by: ScoreGrouping | null): Promise<ScoreRow[]> {
  const base = db
    .selectFrom('csat_surveys as s')
    .leftJoin('organizations as o', 'o.id', 's.organization_id')
    .where('s.rating', 'is not', null)
    .where('s.rated_at', '>=', range.from)
    .where('s.rated_at', '<', range.to);
  const counts = {
    ratings: sql<string>`count(*)`.as('ratings'),
    satisfied: sql<string>`count(*) filter (where s.rating >= 4)`.as('satisfied'),
  };
  const rows =
    by === null
      ? await base.select([sql<string | null>`null`.as('key'), sql<string | null>`null`.as('label'), counts.ratings, counts.satisfied]).execute()
      : by === 'agent'
        ? await base.select(['s.assignee as key', 's.assignee as label', counts.ratings, counts.satisfied]).groupBy('s.assignee').orderBy('s.assignee').execute()
        : by === 'organization'
          ? await base.select([sql<string | null>`s.organization_id::text`.as('key'), 'o.name as label', counts.ratings, counts.satisfied]).groupBy(['s.organization_id', 'o.name']).orderBy('o.name').execute()
          : await base.select(['s.priority as key', 's.priority as label', counts.ratings, counts.satisfied]).groupBy('s.priority').orderBy('s.priority').execute();
  return rows.map((r) => ({ key: r.key, label: r.label, ratings: Number(r.ratings), satisfied: Number(r.satisfied) }));
}
