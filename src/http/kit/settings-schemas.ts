/**
 * The request schemas of calendars and SLA policies, zod at the edge: the API (`/api/v1/calendars`,
 * `/api/v1/sla-policies`, their impact previews) and the console's admin forms parse with them,
 * so both refuse alike; the domain (src/domain/settings/sla-settings.ts) takes what they produce.
 */
import { z } from 'zod';
import { DEFAULT_LADDER, type CalendarInput, type PolicyInput } from '../../domain/settings/sla-settings';
import { boundedJson, calendarSpecSchema, ladderSchema, MAX_LADDER_STEPS, priority, safeString, status, targetMinutes, text, uuid } from './schemas';

export const calendarSchema = calendarSpecSchema.extend({ name: text(200) }) satisfies z.ZodType<CalendarInput>;

export const policySchema = z.strictObject({
  name: text(200),
  tier: safeString().min(1).max(100),
  priority,
  calendarId: uuid,
  firstResponseMinutes: targetMinutes().nullable(),
  resolutionMinutes: targetMinutes().nullable(),
  pauseOn: z.array(status).max(20).default(['pending']),
  escalations: ladderSchema.default(DEFAULT_LADDER),
  autoCloseDays: z.number().int().min(0).max(365).default(7),
  pauseOnIncident: z.boolean().default(true),
  /** Absent on an update: left as it is (the console's form does not carry the repeating clocks). */
  nextReplyMinutes: targetMinutes().nullable().optional(),
  nextReplyEscalations: ladderSchema.optional(),
  updateEveryMinutes: targetMinutes().nullable().optional(),
  updateEscalations: ladderSchema.optional(),
}) satisfies z.ZodType<PolicyInput>;

/** An incident policy's ladder (PUT /incident-policies/:severity and the console's incident policy form). */
const incidentLadder = z
  .array(z.strictObject({ percent: z.number().min(0).max(1000), actions: z.array(boundedJson(z.looseObject({ type: safeString().min(1).max(100) }))).max(20).default([]) }))
  .max(MAX_LADDER_STEPS);

export const incidentPolicySchema = z.strictObject({
  acknowledgeMinutes: targetMinutes(),
  resolveMinutes: targetMinutes(),
  calendarId: uuid.nullable().default(null),
  acknowledgementEscalations: incidentLadder,
  resolutionEscalations: incidentLadder,
  postmortemRequired: z.boolean(),
  postmortemReminderHours: z.array(z.number().positive().max(24 * 365)).min(1).max(20).default([24, 72, 168]),
  solveLinkedTickets: z.boolean().default(false),
  /** Absent: left as it is. */
  updateEveryMinutes: targetMinutes().nullable().optional(),
  updateEscalations: incidentLadder.optional(),
});
