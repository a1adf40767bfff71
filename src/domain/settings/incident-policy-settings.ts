/**
 * Saving a severity's incident policy: the row and its rollout are written in one
 * transaction, then the rollout carries the new snapshot to every incident of that severity
 * not yet closed (shared by the API's PUT /incident-policies/:severity and any console form).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { updateIncidentPolicy, type IncidentPolicyFields } from '../../db/repositories/incident-policies';
import { saveWithRollout, type RolloutHook } from './rollouts';
import type { IncidentSeverity } from '../../../workflows/contract/incident';

export function saveIncidentPolicy(db: Kysely<Database>, severity: IncidentSeverity, body: IncidentPolicyFields, rollout: RolloutHook) {
  return saveWithRollout(db, rollout, async (trx) => {
    const p = await updateIncidentPolicy(trx, severity, body);
    return { saved: p, kind: 'incident_policy', targetId: severity, editVersion: p.edit_version };
  });
}
