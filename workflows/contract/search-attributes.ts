/**
 * The custom search attributes every ticket's and incident's workflow carries, so an on-call
 * engineer finds them in Temporal's CLI and web UI by what Pacer calls them
 * (`temporal workflow list --query 'PacerStatus="open" AND PacerPriority="urgent"'`, sorted by
 * PacerNextDeadline). The client sets what it knows at start; the workflow keeps them current
 * (workflows/runtime/entity-loop.ts). Each key must be registered on the server:
 * `server.searchAttributes` in temporal-dev.yaml and temporal-cluster.yaml.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type SearchAttributeUpdatePair, type TypedSearchAttributes } from '@temporalio/common';
import type { TicketWorkflowInput } from './ticket';
import type { IncidentWorkflowInput } from './incident';

export const SEARCH_ATTRIBUTE_KEYS = {
  /** The ticket's or incident's number (TKT-20261201-0042, INC-…). */
  number: defineSearchAttributeKey('PacerTicketNumber', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('PacerStatus', SearchAttributeType.KEYWORD),
  /** A ticket's priority, an incident's severity. */
  priority: defineSearchAttributeKey('PacerPriority', SearchAttributeType.KEYWORD),
  /** Tickets only: incidents belong to no organization. */
  organizationId: defineSearchAttributeKey('PacerOrganizationId', SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey('PacerKind', SearchAttributeType.KEYWORD),
  /** The earliest due instant of a clock still running; unset when none runs (met, paused, finished). */
  nextDeadline: defineSearchAttributeKey('PacerNextDeadline', SearchAttributeType.DATETIME),
};

/** What a workflow is found by. */
export interface EntityIndex {
  kind: 'ticket' | 'incident';
  number: string;
  status: string;
  priority: string;
  organizationId: string | null;
  /** Epoch ms, or null. */
  nextDeadline: number | null;
}

/** What a ticket's workflow starts with (its deadline follows from the workflow's first plan). */
export const ticketStartAttributes = (input: TicketWorkflowInput): SearchAttributePair[] =>
  startAttributes({
    kind: 'ticket',
    number: input.ticket.number,
    status: input.carried?.status ?? input.ticket.status,
    priority: input.carried?.priority ?? input.ticket.priority,
    organizationId: input.ticket.organizationId,
  });

/** What an incident's workflow starts with. */
export const incidentStartAttributes = (input: IncidentWorkflowInput): SearchAttributePair[] =>
  startAttributes({ kind: 'incident', number: input.incident.number, status: input.carried?.status ?? 'detected', priority: (input.carried?.policy ?? input.policy).severity, organizationId: null });

function startAttributes(i: Omit<EntityIndex, 'nextDeadline'>): SearchAttributePair[] {
  const k = SEARCH_ATTRIBUTE_KEYS;
  const pairs: SearchAttributePair[] = [
    { key: k.kind, value: i.kind },
    { key: k.number, value: i.number },
    { key: k.status, value: i.status },
    { key: k.priority, value: i.priority },
  ];
  if (i.organizationId !== null) pairs.push({ key: k.organizationId, value: i.organizationId });
  return pairs;
}

/** Every attribute, a null removing one that no longer applies. */
export function searchAttributeUpdates(i: EntityIndex): SearchAttributeUpdatePair[] {
  const k = SEARCH_ATTRIBUTE_KEYS;
  return [
    { key: k.kind, value: i.kind },
    { key: k.number, value: i.number },
    { key: k.status, value: i.status },
    { key: k.priority, value: i.priority },
    { key: k.organizationId, value: i.organizationId },
    { key: k.nextDeadline, value: i.nextDeadline === null ? null : new Date(i.nextDeadline) },
  ];
}

/** Whether the workflow already carries exactly these attributes (from its start, or carried over a continue-as-new). */
export function alreadyIndexed(i: EntityIndex, current: TypedSearchAttributes): boolean {
  const k = SEARCH_ATTRIBUTE_KEYS;
  const deadline = current.get(k.nextDeadline);
  return (
    current.get(k.kind) === i.kind &&
    current.get(k.number) === i.number &&
    current.get(k.status) === i.status &&
    current.get(k.priority) === i.priority &&
    (current.get(k.organizationId) ?? null) === i.organizationId &&
    // A Date, though decoding has been seen to leave an ISO string: new Date() reads both.
    (deadline === undefined ? null : new Date(deadline).getTime()) === i.nextDeadline
  );
}
