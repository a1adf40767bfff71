/**
 * Opens or updates a ticket's Jira issue, idempotently. Under a per-ticket lease it looks
 * first for the ticket's link (search lags, so a just-created issue may not be found), then
 * for the ticket's label in Jira (an issue created by an attempt that died before linking
 * it), and creates only if neither exists. A create whose answer was lost leaves a marker:
 * until search has had time to catch up, a retry waits rather than risk a second issue.
 * An existing issue gets a comment about a new escalation instead, once per ladder action.
 */
import { sql, type Kysely } from 'kysely';
import { once } from '../../db/effects';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import type { AdfDoc } from './adf';
import { escalationComment, issueDescription, issueSummary, ticketLabel, type Escalation, type IssueTicket } from './issue-content';
import { JiraOutcomeUnknown, type JiraApi, type JiraIssueRef } from './jira-api';
import { findJiraLink, saveJiraLink, updateJiraLink, type JiraLink } from './jira-links';
import { withLease, type LeaseOptions } from './ticket-lease';
import { ticketUrl } from '../../core/links';

export interface IssueServiceDeps {
  db: Kysely<Database>;
  api: JiraApi;
  publicUrl: string;
  log?: Logger;
  /** How long after a create with an unknown outcome search is trusted to show it (default 30 s). */
  searchGraceMs?: number;
  lease?: LeaseOptions;
}

export interface OpenIssueRequest {
  ticketId: string;
  /** Who asks: `ladder:<step>:<action index>` or `agent:<name>`. Names the escalation comment's once-key. */
  origin: string;
  /** The ladder step's SLA state; null when an agent asks. */
  escalation: Escalation | null;
  issueType?: string;
  /** Copy later public comments to the issue; left as it was when undefined. */
  syncComments?: boolean;
}

export interface OpenIssueResult {
  link: JiraLink;
  /** created: a new issue; found: one Jira had under the ticket's label; existing: the ticket's link. */
  outcome: 'created' | 'found' | 'existing';
  commented: boolean;
}

export class TicketNotFound extends Error {}

const DEFAULT_ISSUE_TYPE = 'Task';

export function createIssueService(deps: IssueServiceDeps) {
  const { db, api } = deps;
  const grace = deps.searchGraceMs ?? 30_000;
  const unknownKey = (ticketId: string) => `jira:create-outcome-unknown:${ticketId}`;

  const loadTicket = async (ticketId: string): Promise<IssueTicket> => {
    const t = await db
      .selectFrom('tickets')
      .select(['id', 'number', 'subject', 'description', 'priority', 'status', 'requester_email', 'requester_name', 'fr_due_at', 'fr_met_at', 'fr_at_risk_at', 'res_due_at', 'res_met_at', 'res_at_risk_at', 'res_paused_since'])
      .where('id', '=', ticketId)
      .executeTakeFirst();
    if (!t) throw new TicketNotFound(`ticket ${ticketId} not found`);
    return t;
  };

  /** Adds a comment once: recorded in integration_effects, and recognised in Jira by its marker if the record was lost. */
  const addCommentOnce = (issueKey: string, marker: string, body: AdfDoc) =>
    once(db, `jira:comment:${issueKey}:${marker}`, async () => {
      if (await api.hasMarkedComment(issueKey, marker)) return { existed: true };
      return api.addComment(issueKey, body, marker);
    });

  const recentUnknownCreate = async (ticketId: string): Promise<boolean> => {
    const row = await db
      .selectFrom('integration_effects')
      .select('key')
      .where('key', '=', unknownKey(ticketId))
      .where(sql<number>`(result->>'at')::float8`, '>', sql<number>`extract(epoch from now()) - ${grace / 1000}::float8`)
      .executeTakeFirst();
    return row !== undefined;
  };

  const link = async (req: OpenIssueRequest, issue: JiraIssueRef): Promise<JiraLink> => {
    const l: JiraLink = {
      ticketId: req.ticketId,
      key: issue.key,
      url: api.browseUrl(issue.key),
      data: { issueId: issue.id, origin: req.origin, syncComments: req.syncComments === true, ...(req.syncComments && { syncSince: new Date().toISOString() }) },
    };
    await saveJiraLink(db, l);
    await db.deleteFrom('integration_effects').where('key', '=', unknownKey(req.ticketId)).execute();
    // Another writer may have linked a different issue first: the first link is the ticket's.
    return (await findJiraLink(db, req.ticketId)) ?? l;
  };

  async function openOrUpdate(req: OpenIssueRequest): Promise<OpenIssueResult> {
    const ticket = await loadTicket(req.ticketId);
    const url = ticketUrl(deps.publicUrl, ticket.id);
    return withLease(
      db,
      `jira:${req.ticketId}`,
      async () => {
        const existing = await findJiraLink(db, req.ticketId);
        if (existing) {
          if (req.syncComments !== undefined && req.syncComments !== existing.data.syncComments) {
            const patch = { syncComments: req.syncComments, ...(req.syncComments && { syncSince: new Date().toISOString() }) };
            await updateJiraLink(db, existing, patch);
            Object.assign(existing.data, patch);
          }
          // A later ladder step escalates again; the step that made the issue (retried) does not.
          const escalate = req.escalation !== null && existing.data.origin !== req.origin;
          if (escalate) await addCommentOnce(existing.key, `escalation:${req.origin}`, escalationComment(ticket, url, req.escalation!));
          return { link: existing, outcome: 'existing', commented: escalate };
        }

        const [found] = await api.findByLabel(ticketLabel(ticket.number));
        if (found) return { link: await link(req, found), outcome: 'found', commented: false };
        if (await recentUnknownCreate(req.ticketId)) {
          throw new Error(`an earlier attempt to create the Jira issue for ${ticket.number} got no answer; waiting for Jira search to show it before creating again`);
        }

        let created: JiraIssueRef;
        try {
          created = await api.createIssue({
            issueType: req.issueType ?? DEFAULT_ISSUE_TYPE,
            summary: issueSummary(ticket),
            description: issueDescription(ticket, url, req.escalation),
            labels: ['pacer', ticketLabel(ticket.number)],
          });
        } catch (err) {
          if (err instanceof JiraOutcomeUnknown) {
            await db
              .insertInto('integration_effects')
              .values({ key: unknownKey(req.ticketId), result: sql`jsonb_build_object('at', extract(epoch from now()))` })
              .onConflict((oc) => oc.column('key').doUpdateSet({ result: sql`excluded.result` }))
              .execute();
          }
          throw err;
        }
        deps.log?.info({ ticketId: req.ticketId, issue: created.key, origin: req.origin }, 'opened Jira issue');
        return { link: await link(req, created), outcome: 'created', commented: false };
      },
      deps.lease,
    );
  }

  return { openOrUpdate, addCommentOnce, loadTicket, ticketUrl: (ticketId: string) => ticketUrl(deps.publicUrl, ticketId) };
}

export type IssueService = ReturnType<typeof createIssueService>;
