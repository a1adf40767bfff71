/** The views of rollouts and impact previews (src/http/api/routes/rollouts.ts), and of the saves that start a rollout. */
import { z } from 'zod';
import { ROLLOUT_KINDS } from '../../../../workflows/contract/rollout';
import { calendarResponse, incidentPolicyResponse, organizationPatchResponse, slaPolicyResponse } from './responses';

const instant = z.iso.datetime({ offset: true });
const id = z.uuid();
const rolloutId = id.meta({ description: 'the rollout carrying this edit to the open tickets (GET /rollouts/:id)' });

export const calendarSavedResponse = calendarResponse.extend({ rolloutId }).meta({ id: 'CalendarSaved' });
export const slaPolicySavedResponse = slaPolicyResponse.extend({ rolloutId }).meta({ id: 'SlaPolicySaved' });
export const incidentPolicySavedResponse = incidentPolicyResponse
  .extend({ rolloutId: id.meta({ description: 'the rollout carrying this edit to the incidents of this severity not yet closed (GET /rollouts/:id)' }) })
  .meta({ id: 'IncidentPolicySaved' });
export const organizationTierResponse = organizationPatchResponse.extend({ rolloutId: rolloutId.optional() }).meta({ id: 'OrganizationPatchedWithRollout' });

export const rolloutResponse = z
  .object({
    id,
    kind: z.enum(ROLLOUT_KINDS),
    targetId: z.string().meta({ description: 'the policy, calendar or organization id; for incident_policy, the severity' }),
    editVersion: z.number().int(),
    status: z.enum(['pending', 'running', 'finished']).meta({ description: 'pending: saved, its workflow not started yet (the worker starts it)' }),
    affected: z.number().int().meta({ description: 'open tickets (incidents not closed, for incident_policy) the edit reached when the rollout began' }),
    done: z.number().int().meta({ description: 're-targeted' }),
    unchanged: z.number().int().meta({ description: 'already as the edit wants, closed meanwhile, or moved to another policy' }),
    failed: z.number().int(),
    failures: z.array(z.object({ ticketId: id.meta({ description: "the ticket's id (the incident's, for incident_policy)" }), reason: z.string() })).meta({ description: 'the first 100 failures' }),
    createdBy: z.string(),
    createdAt: instant,
    updatedAt: instant,
    finishedAt: instant.nullable(),
  })
  .meta({ id: 'Rollout' });

const ticketRef = { ticketId: id, number: z.string(), clock: z.string() };
export const impactResponse = z
  .object({
    affected: z.number().int(),
    evaluated: z.number().int(),
    moved: z.number().int(),
    earlier: z.number().int(),
    later: z.number().int(),
    unchanged: z.number().int(),
    largestMoves: z.array(z.object({ ...ticketRef, fromDueAt: instant.nullable(), toDueAt: instant.nullable(), deltaSeconds: z.number().int() })),
    breachedAtOnce: z.array(z.object({ ...ticketRef, dueAt: instant })),
    atRiskAtOnce: z.array(z.object({ ...ticketRef, atRiskAt: instant })),
    nextCursor: id.nullable(),
  })
  .meta({ id: 'RolloutImpact' });
