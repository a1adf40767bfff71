/** Request schemas of the incident routes. Strict objects: an unknown field is a 400, not silently dropped. */
import { z } from 'zod';
import { INCIDENT_IMPACTS, INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../../../workflows/contract/incident';
import { csv, bool, cursor, freeText, int4, isoInstant, text, uuid } from '../kit/schemas';

export const severity = z.enum(INCIDENT_SEVERITIES);
export const incidentStatus = z.enum(INCIDENT_STATUSES);
export const impact = z.enum(INCIDENT_IMPACTS);
const person = text(200);

const editable = {
  title: text(300),
  description: freeText(100_000),
  commander: person.nullable(),
  responders: z.array(person).max(100),
  impact,
  affectedComponents: z.array(uuid).max(200),
  affectedCustomers: int4().min(0).nullable(),
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
  .strictObject({ body: text(20_000).optional(), status: incidentStatus.optional(), public: z.boolean().default(true) })
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
  cursor: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The period is bounded (MAX_REPORT_SPAN_DAYS, checked by the route once defaults are applied). */
export const metricsQuery = z.strictObject({ from: isoInstant().optional(), to: isoInstant().optional() });
