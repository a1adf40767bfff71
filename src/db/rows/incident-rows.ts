/** An incident's row as the API and the workflow first write it. */
import type { NewIncidentRow } from '../schema';
import { incidentWorkflowId } from '../../../workflows/contract/incident';
import type { IncidentFacts, IncidentPolicySnapshot } from '../../../workflows/contract/incident';

/** The incident row as first written, by the API or (if the API died first) by the workflow. */
export function newIncidentRow(i: IncidentFacts, policy: IncidentPolicySnapshot, dues: { ackDueAt: string | null; resDueAt: string | null }): NewIncidentRow {
  return {
    id: i.id,
    number: i.number,
    title: i.title,
    description: i.description,
    severity: i.severity,
    status: 'detected',
    commander: i.commander,
    responders: JSON.stringify(i.responders),
    impact: i.impact,
    affected_customers: i.affectedCustomers,
    affected_components: JSON.stringify(i.affectedComponents),
    source_ticket_id: i.sourceTicketId,
    created_by: i.createdBy,
    workflow_id: incidentWorkflowId(i.id),
    state_version: 0,
    ack_due_at: dues.ackDueAt,
    res_due_at: dues.resDueAt,
    postmortem_required: policy.postmortemRequired,
    created_at: i.createdAt,
    updated_at: i.createdAt,
  };
}
