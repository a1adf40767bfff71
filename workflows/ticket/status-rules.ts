/**
 * Which status changes a ticket allows, and what a reply does to the status.
 * Pure, so the workflow's update validator and the API's early checks agree.
 */
import type { Actor, TicketStatus } from '../contract/ticket';

const ALLOWED: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved', 'cancelled'],
  open: ['pending', 'on_hold', 'solved', 'cancelled'],
  pending: ['open', 'on_hold', 'solved', 'cancelled'],
  on_hold: ['open', 'pending', 'solved', 'cancelled'],
  // Reopening a solved ticket is a status change to open; closing ends it for good.
  solved: ['open', 'closed'],
  closed: [],
  cancelled: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function isFinal(status: TicketStatus): boolean {
  return status === 'closed' || status === 'cancelled';
}

/**
 * The status a public reply moves the ticket to, or null to leave it:
 * an agent's first reply opens a new ticket; a customer's reply resumes a pending
 * ticket and reopens a solved one.
 */
export function statusAfterReply(current: TicketStatus, author: Actor['type'], isPublic: boolean): TicketStatus | null {
  if (!isPublic) return null;
  if (author === 'agent' && current === 'new') return 'open';
  if (author === 'customer' && (current === 'pending' || current === 'solved')) return 'open';
  return null;
}
