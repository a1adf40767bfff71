/**
 * The category's marks on the timeline and in the classifier's examples, written with the
 * ticket's own records (so no workflow command changes):
 * - at intake, an automatic category is a 'ticket.categorized' event with `automatic: true`;
 * - an agent's edit of the category records the ticket as a training example, marks the
 *   category the agent's, and puts a 'ticket.categorized' event on the timeline saying which
 *   automatic choice, if any, it replaced.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../src/db/schema';
import type { ApplyChangeInput, InitTicketInput } from '../workflows/contract/records';
import { editCategorizedEventId, intakeCategorizedEventId, type TicketCategorizedEvent, type TicketEvent } from '../workflows/contract/events';
import { categoryStateForUpdate, deleteCategoryExample, exampleText, markCategoryChosenBy, upsertCategoryExample, type CategoryState } from '../src/db/repositories/category-examples';

const AUTOMATIC = new Set(['classifier', 'keywords']);

export function intakeCategorizedEvents(input: InitTicketInput): TicketCategorizedEvent[] {
  const t = input.ticket;
  const source = t.intake?.categorySource;
  if (!source || !AUTOMATIC.has(source) || t.category === null) return [];
  return [
    {
      id: intakeCategorizedEventId(t.id),
      type: 'ticket.categorized',
      at: t.createdAt,
      actor: `system:${source}`,
      visibility: 'internal',
      data: { category: t.category, confidence: t.intake?.categoryConfidence ?? null, source, automatic: true, replaced: null },
    },
  ];
}

/** The agent's edit that changes the category, if this change holds one. */
function categoryEdit(input: ApplyChangeInput): { actionId: string; actor: string } | null {
  if (input.fields.category === undefined) return null;
  const edited = input.events.find((e) => e.type === 'ticket.edited' && e.data.fields.includes('category'));
  if (!edited || !edited.actor.startsWith('agent')) return null;
  const suffix = ':edit';
  return { actionId: edited.id.slice(input.ticketId.length + 1, edited.id.length - suffix.length), actor: edited.actor };
}

/** Read before the change's update, in its transaction (the row is locked until it commits). */
export async function categoryBefore(tx: Transaction<Database>, input: ApplyChangeInput): Promise<CategoryState | undefined> {
  return categoryEdit(input) ? categoryStateForUpdate(tx, input.ticketId) : undefined;
}

/**
 * After the change's update. `applied` is false on a retry whose first attempt committed: the
 * event is still returned (its insert is a no-op and its deliveries are answered again).
 */
export async function recordCategoryEdit(tx: Transaction<Database>, input: ApplyChangeInput, before: CategoryState | undefined, applied: boolean): Promise<TicketEvent[]> {
  const edit = categoryEdit(input);
  if (!edit || !before) return [];
  const category = input.fields.category ?? null;
  if (applied && before.category === category && before.source === 'agent') return [];
  if (applied) {
    await markCategoryChosenBy(tx, input.ticketId, 'agent');
    const subject = input.fields.subject ?? before.subject;
    const description = input.fields.description ?? before.description;
    if (category === null || category.trim() === '') await deleteCategoryExample(tx, input.ticketId);
    else await upsertCategoryExample(tx, { ticketId: input.ticketId, category, text: exampleText(subject, description), labelledBy: edit.actor, at: input.at });
  }
  const replaced = before.source && AUTOMATIC.has(before.source) ? { category: before.category, source: before.source, confidence: before.confidence } : null;
  return [
    {
      id: editCategorizedEventId(input.ticketId, edit.actionId),
      type: 'ticket.categorized',
      at: input.at,
      actor: edit.actor,
      visibility: 'internal',
      data: { category, confidence: null, source: 'agent', automatic: false, replaced },
    },
  ];
}
