/**
 * A ticket's Jira issue, kept in ticket_links (kind 'jira', the issue key as external key,
 * the browse URL as url). `data` remembers the issue id (keys change when an issue moves
 * project), which request made it, and whether public comments are copied to it.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export const JIRA_LINK_KIND = 'jira';

export interface JiraLinkData {
  issueId: string;
  /** The ladder action or agent request that created or first found it. */
  origin: string;
  syncComments: boolean;
  /** When copying was switched on: only comments written later are copied. */
  syncSince?: string;
  status?: string;
  [extra: string]: unknown;
}

export interface JiraLink {
  ticketId: string;
  key: string;
  url: string;
  data: JiraLinkData;
}

type Db = Pick<Kysely<Database>, 'selectFrom' | 'insertInto' | 'updateTable'>;

function toLink(row: { ticket_id: string; external_key: string; url: string | null; data: Record<string, unknown> }): JiraLink {
  const d = row.data;
  return {
    ticketId: row.ticket_id,
    key: row.external_key,
    url: row.url ?? '',
    data: { ...d, issueId: String(d.issueId ?? ''), origin: String(d.origin ?? ''), syncComments: d.syncComments === true },
  };
}

/** The ticket's issue; the first linked one if an operator linked several. */
export async function findJiraLink(db: Db, ticketId: string): Promise<JiraLink | null> {
  const row = await db
    .selectFrom('ticket_links')
    .select(['ticket_id', 'external_key', 'url', 'data'])
    .where('ticket_id', '=', ticketId)
    .where('kind', '=', JIRA_LINK_KIND)
    .orderBy('created_at')
    .executeTakeFirst();
  return row ? toLink(row) : null;
}

/** The linked ticket of an issue, by key, else by issue id (the key of a moved issue changes). */
export async function findLinkByIssue(db: Db, key: string, issueId: string | undefined): Promise<JiraLink | null> {
  const byKey = await db.selectFrom('ticket_links').select(['ticket_id', 'external_key', 'url', 'data']).where('kind', '=', JIRA_LINK_KIND).where('external_key', '=', key).executeTakeFirst();
  if (byKey) return toLink(byKey);
  if (!issueId) return null;
  const byId = await db
    .selectFrom('ticket_links')
    .select(['ticket_id', 'external_key', 'url', 'data'])
    .where('kind', '=', JIRA_LINK_KIND)
    .where(sql<string>`data->>'issueId'`, '=', issueId)
    .executeTakeFirst();
  return byId ? toLink(byId) : null;
}

export async function saveJiraLink(db: Db, link: JiraLink): Promise<void> {
  await db
    .insertInto('ticket_links')
    .values({ ticket_id: link.ticketId, kind: JIRA_LINK_KIND, external_key: link.key, url: link.url, data: JSON.stringify(link.data) })
    .onConflict((oc) => oc.columns(['ticket_id', 'kind', 'external_key']).doNothing())
    .execute();
}

export async function updateJiraLink(db: Db, link: Pick<JiraLink, 'ticketId' | 'key'>, patch: Partial<JiraLinkData>): Promise<void> {
  await db
    .updateTable('ticket_links')
    .set({ data: sql`data || ${JSON.stringify(patch)}::jsonb` })
    .where('ticket_id', '=', link.ticketId)
    .where('kind', '=', JIRA_LINK_KIND)
    .where('external_key', '=', link.key)
    .execute();
}
