/** Request schemas of the incident routes. Strict objects: an unknown field is a 400, not silently dropped. */
import { z } from 'zod';
import { INCIDENT_IMPACTS, INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../../workflows/incident/contract';
import { csv, bool, text, uuid } from './schemas';

export const severity = z.enum(INCIDENT_SEVERITIES);
export const incidentStatus = z.enum(INCIDENT_STATUSES);
export const impact = z.enum(INCIDENT_IMPACTS);
const person = z.string().trim().min(1).max(200);

const editable = {
  title: text(300),
  description: z.string().max(100_000),
  commander: person.nullable(),
  responders: z.array(person).max(100),
  impact,
  affectedComponents: z.array(uuid).max(200),
  affectedCustomers: z.number().int().min(0).nullable(),
};

export const createIncidentSchema = z.strictObject({
  ...editable,
  description: editable.description.default(''),
  severity,
  commander: editable.commander.optional(),
  responders: editable.responders.default([]),
  impact: impact.optional(),
  affectedComponents: editable.affectedComponents.default([]),
  affectedCustomers: editable.affectedCustomers.optional(),
  sourceTicketId: uuid.optional(),
});

export const patchIncidentSchema = z
  .strictObject({ ...editable, severity })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

export const incidentUpdateSchema = z
  .strictObject({ body: z.string().trim().min(1).max(20_000).optional(), status: incidentStatus.optional(), public: z.boolean().default(true) })
  .refine((v) => v.body !== undefined || v.status !== undefined, { message: 'an update needs a body or a status', path: ['body'] });

export const linkTicketSchema = z.strictObject({ ticketId: uuid });

export const postmortemSchema = z.strictObject({
  summary: text(20_000),
  rootCause: text(20_000),
  actionItems: z.array(z.strictObject({ description: text(2_000), owner: person, dueDate: z.iso.date() })).min(1).max(100),
});

export const listIncidentsQuery = z.strictObject({
  status: csv(incidentStatus).optional(),
  severity: csv(severity).optional(),
  active: bool.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const metricsQuery = z.strictObject({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });

export const incidentPolicySchema = z.strictObject({
  acknowledgeMinutes: z.number().int().positive(),
  resolveMinutes: z.number().int().positive(),
  calendarId: uuid.nullable().default(null),
  acknowledgementEscalations: z.array(z.strictObject({ percent: z.number().min(0).max(1000), actions: z.array(z.looseObject({ type: z.string().min(1).max(100) })).default([]) })),
  resolutionEscalations: z.array(z.strictObject({ percent: z.number().min(0).max(1000), actions: z.array(z.looseObject({ type: z.string().min(1).max(100) })).default([]) })),
  postmortemRequired: z.boolean(),
  postmortemReminderHours: z.array(z.number().positive().max(24 * 365)).min(1).max(20).default([24, 72, 168]),
  solveLinkedTickets: z.boolean().default(false),
});
