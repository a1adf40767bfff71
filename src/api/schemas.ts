/** Request schemas shared by the routes. Strict objects: an unknown field is a 400, not silently dropped. */
import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES } from '../../workflows/ticket/contract';

const PRIORITY_ALIASES: Record<string, string> = { p1: 'urgent', critical: 'urgent', p2: 'high', p3: 'normal', p4: 'low' };
export const priority = z.preprocess((v) => (typeof v === 'string' ? (PRIORITY_ALIASES[v.toLowerCase()] ?? v.toLowerCase()) : v), z.enum(PRIORITIES));
export const status = z.enum(TICKET_STATUSES);
export const uuid = z.uuid();
export const text = (max: number) => z.string().trim().min(1).max(max);

export const createTicketSchema = z.strictObject({
  subject: text(500),
  description: z.string().max(100_000).default(''),
  priority: priority.optional(),
  channel: z.enum(['api', 'email', 'web', 'chat', 'phone']).default('api'),
  category: z.string().max(200).nullable().optional(),
  requester: z.strictObject({ email: z.email(), name: z.string().max(200).nullable().optional() }),
  assignee: z.string().max(200).nullable().optional(),
  organizationId: uuid.optional(),
});

export const patchTicketSchema = z
  .strictObject({
    status: status.optional(),
    priority: priority.optional(),
    assignee: z.string().max(200).nullable().optional(),
    subject: text(500).optional(),
    description: z.string().max(100_000).optional(),
    category: z.string().max(200).nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

export const commentSchema = z.strictObject({
  body: text(100_000),
  public: z.boolean().default(true),
});

export const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item).min(1));
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listTicketsQuery = z.strictObject({
  status: csv(status).optional(),
  priority: csv(priority).optional(),
  organizationId: uuid.optional(),
  assignee: z.string().optional(),
  breached: bool.optional(),
  atRisk: bool.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00–24:00)');
const day = z.array(z.tuple([hhmm, hhmm])).default([]);
export const calendarSpecSchema = z.strictObject({
  timezone: z.string().min(1),
  weekly: z.strictObject({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }),
  holidays: z.array(z.iso.date()).default([]),
});

export const actionSchema = z.looseObject({ type: z.string().min(1).max(100) });
export const escalationSchema = z.strictObject({
  percent: z.number().positive().max(1000),
  actions: z.array(actionSchema).default([]),
});
