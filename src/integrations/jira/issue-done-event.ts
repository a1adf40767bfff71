/**
 * What a Jira webhook means for a ticket: a `jira:issue_updated` whose changelog moves the
 * status to done (status category `done`, or a status named Done) adds an internal note to
 * the linked ticket through its workflow. The note's action id comes from the issue and the
 * changelog id, so a redelivery of the same change is applied once; everything else is
 * answered and ignored. Jira being done does not solve the customer's problem: an agent does.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { PacerError } from '../../core/errors';
import type { Database } from '../../db/schema';
import type { TicketLifecycle } from '../../domain/tickets/ticket-lifecycle';
import { findLinkByIssue, updateJiraLink } from './jira-links';

const user = z.looseObject({ accountId: z.string().optional(), displayName: z.string().nullish(), emailAddress: z.string().nullish() });

// Changelog items are read as records: one of their fields is called `toString`.
export const jiraWebhookSchema = z.looseObject({
  webhookEvent: z.string().min(1),
  timestamp: z.number().optional(),
  user: user.nullish(),
  issue: z
    .looseObject({
      id: z.union([z.string(), z.number()]).transform(String).optional(),
      key: z.string().min(1),
      fields: z
        .looseObject({
          status: z.looseObject({ name: z.string().optional(), statusCategory: z.looseObject({ key: z.string().optional() }).nullish() }).nullish(),
        })
        .default({}),
    })
    .optional(),
  changelog: z
    .looseObject({
      id: z.union([z.string(), z.number()]).transform(String).optional(),
      items: z.array(z.record(z.string(), z.unknown())).default([]),
    })
    .nullish(),
});

export type JiraWebhook = z.infer<typeof jiraWebhookSchema>;
export type DoneOutcome = 'noted' | 'ignored' | 'not_linked' | 'ticket_closed' | 'duplicate';

export interface DoneEventDeps {
  db: Kysely<Database>;
  lifecycle: TicketLifecycle;
}

const own = (item: Record<string, unknown>, key: string): string | undefined => {
  const v = Object.hasOwn(item, key) ? item[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/** The status the change moved the issue to, if it moved it to done. */
export function doneStatus(w: JiraWebhook): string | null {
  if (w.webhookEvent !== 'jira:issue_updated' || !w.issue) return null;
  const item = (w.changelog?.items ?? []).find((i) => own(i, 'fieldId') === 'status' || own(i, 'field')?.toLowerCase() === 'status');
  if (!item) return null;
  const to = own(item, 'toString');
  const status = w.issue.fields.status;
  const done = status?.statusCategory?.key === 'done' || to?.trim().toLowerCase() === 'done';
  return done ? to || status?.name || 'Done' : null;
}

/** A UUID (a note's action id becomes its comment id) that only this change of this issue maps to. */
export function doneActionId(w: JiraWebhook, deliveryId: string | undefined): string {
  const change = w.changelog?.id ?? deliveryId ?? String(w.timestamp ?? '');
  const h = crypto.createHash('sha256').update(`jira-done|${w.issue?.id ?? w.issue?.key}|${change}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function who(w: JiraWebhook): string {
  return w.user?.displayName || w.user?.emailAddress || w.user?.accountId || 'someone in Jira';
}

export async function handleJiraWebhook(deps: DoneEventDeps, w: JiraWebhook, deliveryId: string | undefined): Promise<DoneOutcome> {
  const status = doneStatus(w);
  if (status === null || !w.issue) return 'ignored';
  const link = await findLinkByIssue(deps.db, w.issue.key, w.issue.id);
  if (!link) return 'not_linked';

  const actionId = doneActionId(w, deliveryId);
  // The workflow ignores a repeated action id; the claim also spares it the round trip.
  const claim = `jira:${actionId}`;
  const claimed = await deps.db.insertInto('inbound_webhooks').values({ id: claim }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  if (!claimed) return 'duplicate';
  try {
    await deps.lifecycle.act(link.ticketId, {
      kind: 'comment',
      actionId,
      actor: { type: 'system', name: 'jira' },
      public: false,
      body: `Jira ${w.issue.key} moved to ${status} by ${who(w)} (${link.url}).`,
    });
  } catch (err) {
    // A closed or cancelled ticket takes no more notes: the delivery is done with.
    if (err instanceof PacerError && err.kind === 'conflict') return 'ticket_closed';
    // Let Jira's retry find the delivery unclaimed.
    await deps.db.deleteFrom('inbound_webhooks').where('id', '=', claim).execute();
    throw err;
  }
  await updateJiraLink(deps.db, link, { status, statusCategory: 'done' });
  return 'noted';
}
