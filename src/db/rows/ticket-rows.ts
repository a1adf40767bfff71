/** A ticket's row as the API and the workflow first write it. */
import type { NewTicketRow } from '../schema';
import { ticketWorkflowId } from '../../../workflows/contract/ticket';
import type { TicketFacts } from '../../../workflows/contract/ticket';
import type { SlaSnapshot } from '../../../workflows/contract/records';

export function slaColumns(sla: SlaSnapshot) {
  return {
    fr_due_at: sla.frDueAt,
    fr_met_at: sla.frMetAt,
    fr_at_risk_at: sla.frAtRiskAt,
    res_due_at: sla.resDueAt,
    res_met_at: sla.resMetAt,
    res_at_risk_at: sla.resAtRiskAt,
    res_paused_since: sla.resPausedSince,
    nr_due_at: sla.nrDueAt ?? null,
    nr_at_risk_at: sla.nrAtRiskAt ?? null,
    nr_breaches: sla.nrBreaches ?? 0,
  };
}

/** The ticket row as first written, by the API or (if the API died first) by the workflow. */
export function newTicketRow(t: TicketFacts, policyId: string | null, sla: SlaSnapshot): NewTicketRow {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    description: t.description,
    priority: t.priority,
    status: t.status,
    channel: t.channel,
    category: t.category,
    requester_email: t.requesterEmail,
    requester_name: t.requesterName,
    assignee: t.assignee,
    organization_id: t.organizationId,
    policy_id: policyId,
    workflow_id: ticketWorkflowId(t.id),
    state_version: 0,
    created_at: t.createdAt,
    updated_at: t.createdAt,
    ...slaColumns(sla),
    // What intake learned from the text (src/domain/classify); routing reads category and language from here.
    language: t.intake?.language ?? null,
    category_source: t.intake?.categorySource ?? null,
    category_confidence: t.intake?.categoryConfidence ?? null,
    category_suggestion: t.intake?.categorySuggestion ?? null,
  };
}
