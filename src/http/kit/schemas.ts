/**
 * Request schemas shared by the routes. Strict objects: an unknown field is a 400, not silently dropped.
 *
 * The edge refuses what the store cannot hold, here and only here: every text goes through
 * `safeString` (PostgreSQL text and jsonb cannot hold NUL, and a lone UTF-16 surrogate cannot
 * be encoded as UTF-8), integers that land in `integer` columns through `int4`, free-form JSON
 * through `boundedJson`, and spans that make work grow (previews, reports) through the bounds below.
 */
import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES } from '../../../workflows/contract/ticket';
import { STORABLE_TEXT, UNSTORABLE_MESSAGE, isStorableText, replaceUnstorable } from '../../core/storable-text';

export { STORABLE_TEXT, UNSTORABLE_MESSAGE, isStorableText, replaceUnstorable };

/** The one string primitive: every text field, query parameter and header value is built from it. */
export const safeString = () => z.string().regex(STORABLE_TEXT, UNSTORABLE_MESSAGE);

const PRIORITY_ALIASES: Record<string, string> = { p1: 'urgent', critical: 'urgent', p2: 'high', p3: 'normal', p4: 'low' };
export const priority = z.preprocess((v) => (typeof v === 'string' ? (PRIORITY_ALIASES[v.toLowerCase()] ?? v.toLowerCase()) : v), z.enum(PRIORITIES));
export const status = z.enum(TICKET_STATUSES);
export const uuid = z.uuid();
/** Required text: trimmed, not empty. */
export const text = (max: number) => safeString().trim().min(1).max(max);
/** Optional-content text: may be empty, not trimmed (a description keeps its layout). */
export const freeText = (max: number) => safeString().max(max);

/** PostgreSQL `integer` (int4): what a number that lands in such a column may be. */
export const INT4_MAX = 2_147_483_647;
export const int4 = () => z.int().min(-2_147_483_648).max(INT4_MAX);

/**
 * SLA and incident targets, in minutes: a year of wall-clock time. Far below int4, and small
 * enough that a due instant on any calendar lies inside the calendar math's search horizon,
 * so a target can neither overflow its column nor make a clock's arithmetic run long.
 */
export const MAX_TARGET_MINUTES = 366 * 24 * 60;
export const targetMinutes = () => z.int().positive().max(MAX_TARGET_MINUTES).describe(`minutes, at most ${MAX_TARGET_MINUTES} (a year)`);

/**
 * How far apart the instants of one SLA preview may lie: open time between two instants is
 * summed day by day, so the work grows with the span (about 20 ms a year; a thousand years
 * blocked the process for over 20 s). Three years costs well under 0.1 s.
 */
export const MAX_PREVIEW_SPAN_DAYS = 3 * 366;
/**
 * Ladder steps per clock. Each step's instant is a walk forward through the calendar, at most
 * its 10-year search horizon: 10 steps at the largest target and 1000% keep a preview near 0.5 s.
 */
export const MAX_LADDER_STEPS = 10;
/** The widest period a report (`from`/`to`) covers. */
export const MAX_REPORT_SPAN_DAYS = 400;

/** An ISO 8601 instant with an offset, between 1970 and 9999 (inside PostgreSQL's timestamptz and every row's life). */
export const MIN_INSTANT_MS = Date.UTC(1970, 0, 1);
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const isoInstant = () =>
  z.iso.datetime({ offset: true }).refine((s) => {
    const ms = Date.parse(s);
    return ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
  }, 'must lie between 1970 and 9999');

/**
 * Free-form JSON (the extra fields of a ladder action) stored in jsonb and copied into every
 * workflow that uses it: depth, keys, array lengths and serialized size are bounded, and every
 * key and string must be storable.
 */
export const JSON_LIMITS = { depth: 6, keysPerObject: 50, itemsPerArray: 100, bytes: 16 * 1024 } as const;
export function jsonProblem(value: unknown, depth = 0): { path: Array<string | number>; message: string } | null {
  if (depth > JSON_LIMITS.depth) return { path: [], message: `nested deeper than ${JSON_LIMITS.depth} levels` };
  if (typeof value === 'string') return isStorableText(value) ? null : { path: [], message: UNSTORABLE_MESSAGE };
  if (Array.isArray(value)) {
    if (value.length > JSON_LIMITS.itemsPerArray) return { path: [], message: `more than ${JSON_LIMITS.itemsPerArray} items` };
    for (const [i, item] of value.entries()) {
      const p = jsonProblem(item, depth + 1);
      if (p) return { path: [i, ...p.path], message: p.message };
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length > JSON_LIMITS.keysPerObject) return { path: [], message: `more than ${JSON_LIMITS.keysPerObject} keys` };
    for (const [k, v] of entries) {
      if (!isStorableText(k)) return { path: [k], message: `key ${UNSTORABLE_MESSAGE}` };
      const p = jsonProblem(v, depth + 1);
      if (p) return { path: [k, ...p.path], message: p.message };
    }
  }
  return null;
}
export const boundedJson = <T extends z.ZodType>(schema: T) =>
  schema.superRefine((value, ctx) => {
    const p = jsonProblem(value);
    if (p) return void ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    if (Buffer.byteLength(JSON.stringify(value) ?? '') > JSON_LIMITS.bytes) ctx.addIssue({ code: 'custom', message: `larger than ${JSON_LIMITS.bytes} bytes as JSON` });
  });

/** An opaque pagination cursor: everything about it is checked by validation.parseCursor, so any bad one is a 400 `invalid_cursor`. */
export const cursor = z.string().max(1_000).describe('nextCursor of the previous page, unchanged');

export const channel = z.enum(['api', 'email', 'web', 'chat', 'phone']);
export const createTicketSchema = z.strictObject({
  subject: text(500),
  description: freeText(100_000).default(''),
  priority: priority.optional(),
  channel: channel.default('api'),
  category: freeText(200).nullable().optional(),
  requester: z.strictObject({ email: z.email().max(320), name: freeText(200).nullable().optional() }),
  assignee: freeText(200).nullable().optional(),
  organizationId: uuid.optional(),
});
/**
 * What a customer may set when creating a ticket: the request itself (subject, description,
 * requester), how urgent it is (priority), its category, and its own organization. Routing
 * (assignee) and intake (channel) are the support team's; naming them is a 400.
 */
export const CUSTOMER_FORBIDDEN_CREATE_FIELDS = ['assignee', 'channel'] as const;

export const patchTicketSchema = z
  .strictObject({
    status: status.optional(),
    priority: priority.optional(),
    assignee: freeText(200).nullable().optional(),
    subject: text(500).optional(),
    description: freeText(100_000).optional(),
    category: freeText(200).nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

export const commentSchema = z.strictObject({
  body: text(100_000),
  public: z.boolean().default(true),
});

export const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item).min(1).max(20));
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listTicketsQuery = z.strictObject({
  status: csv(status).optional(),
  priority: csv(priority).optional(),
  organizationId: uuid.optional(),
  assignee: freeText(200).optional(),
  breached: bool.optional(),
  atRisk: bool.optional(),
  cursor: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00–24:00)');
const day = z.array(z.tuple([hhmm, hhmm])).max(48).default([]);
export const calendarSpecSchema = z.strictObject({
  timezone: safeString().min(1).max(100),
  weekly: z.strictObject({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }),
  holidays: z.array(z.iso.date()).max(2_000).default([]),
});

export const actionSchema = boundedJson(z.looseObject({ type: safeString().min(1).max(100) }));
export const escalationSchema = z.strictObject({
  percent: z.number().positive().max(1000),
  actions: z.array(actionSchema).max(20).default([]),
});
export const ladderSchema = z.array(escalationSchema).max(MAX_LADDER_STEPS);
