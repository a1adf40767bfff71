/**
 * Contracts and service credits under /api/v1: an organization's contract (admins write; staff
 * read; its customers read it and its statements only when the contract says so), its
 * statements (JSON or CSV), and breach exclusions (admins: the managers of credits), one at a
 * time or every breach of an incident's linked tickets at once. Money and percentages are
 * decimal strings, checked here field by field and kept as integers from here on.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Db } from '../../../db/schema';
import { findOrganization, listPriorities } from '../../../db/repositories/organizations';
import { ContractService } from '../../../domain/contracts/contract-service';
import { CREDIT_CLOCKS, EXCLUSION_REASONS, MEASURED_CLOCKS, type CreditRule } from '../../../domain/contracts/credit-rules';
import { parseAmount, parsePercent } from '../../../domain/contracts/money';
import { statementCsv } from '../../../domain/contracts/statement-csv';
import { isKnownZone } from '../../../../workflows/sla/zone-offsets';
import { principalOf, requireRole } from '../../kit/auth';
import { type FieldProblem } from '../../kit/errors';
import type { Operation } from '../openapi/operation';
import { freeText, safeString, uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import { idOf } from './settings-params';
import { InvalidInput, NotFound } from '../../../core/errors';

const percent = z.string().refine((v) => parsePercent(v) !== null, 'a percentage 0…100 as a decimal string with at most two decimals, e.g. "2.5"');
const priorityOrAny = safeString().min(1).max(100).nullable().default(null).describe('a priority name, or null for any');

const perBreachRule = z.strictObject({ kind: z.literal('per_breach'), clock: z.enum(CREDIT_CLOCKS), priority: priorityOrAny, creditPercent: percent });
const achievementRule = z.strictObject({
  kind: z.literal('achievement'),
  clock: z.enum(MEASURED_CLOCKS).describe('first_response or resolution: the clocks whose met instants the log records'),
  priority: priorityOrAny,
  tiers: z
    .array(z.strictObject({ belowPercent: percent, creditPercent: percent }))
    .min(1)
    .max(10)
    .refine((tiers) => new Set(tiers.map((t) => parsePercent(t.belowPercent))).size === tiers.length, 'two tiers with the same belowPercent'),
});

export const contractSchema = z.strictObject({
  period: z.enum(['monthly', 'quarterly']).default('monthly'),
  timezone: safeString().min(1).max(100).refine(isKnownZone, 'an IANA time zone, e.g. "Europe/Berlin"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. "EUR"'),
  fee: z.string().max(30).describe('the period\'s fee as a decimal string in the currency, e.g. "12000.00"'),
  startsOn: z.iso.date().refine((d) => d.endsWith('-01'), 'the first day of a month, e.g. "2026-11-01"'),
  rules: z.array(z.discriminatedUnion('kind', [perBreachRule, achievementRule])).max(50),
  capPercent: percent.nullable().default(null),
  customerVisible: z.boolean().default(false),
});

export const exclusionSchema = z.strictObject({ reason: z.enum(EXCLUSION_REASONS), note: freeText(2_000).trim().nullable().default(null) });

const periodParam = z.string().regex(/^(\d{4}-(\d{2}|Q[1-4])|current)$/, 'a period key ("2026-11", "2026-Q4") or "current"');
const periodOf = (req: Request) => parse(periodParam, req.params.period, 'params');

export function contractRoutes(db: Db, contracts: ContractService): Router {
  const r = Router();
  const admin = requireRole('admin');
  /** The organization a caller may read the contract of: staff any, a customer its own and only when the contract is shown to customers. */
  const readableOrg = async (req: Request): Promise<string> => {
    const p = principalOf(req);
    const id = idOf(req);
    if (p.role === 'customer') {
      if (p.organizationId !== id || !(await contracts.get(id).catch(() => null))?.customerVisible) throw new NotFound('contract');
    } else if (!(await findOrganization(db, id))) throw new NotFound('organization');
    return id;
  };

  r.put('/organizations/:id/contract', admin, async (req, res) => {
    const id = idOf(req);
    if (!(await findOrganization(db, id))) throw new NotFound('organization');
    const body = parse(contractSchema, req.body);
    const feeMinor = parseAmount(body.fee, body.currency);
    const problems: FieldProblem[] = [];
    if (feeMinor === null) problems.push({ path: 'fee', message: `a non-negative decimal with at most the decimals ${body.currency} has, e.g. "12000.00"` });
    const priorities = new Set((await listPriorities(db)).map((p) => p.name));
    body.rules.forEach((rule, i) => {
      if (rule.priority !== null && !priorities.has(rule.priority)) problems.push({ path: `rules.${i}.priority`, message: `unknown priority "${rule.priority}"` });
    });
    if (problems.length) throw new InvalidInput(`invalid body: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
    const rules: CreditRule[] = body.rules.map((rule) =>
      rule.kind === 'per_breach'
        ? { kind: 'per_breach', clock: rule.clock, priority: rule.priority, creditBp: parsePercent(rule.creditPercent)! }
        : { kind: 'achievement', clock: rule.clock, priority: rule.priority, tiers: rule.tiers.map((t) => ({ belowBp: parsePercent(t.belowPercent)!, creditBp: parsePercent(t.creditPercent)! })) },
    );
    res.json(await contracts.put(id, {
      period: body.period, timezone: body.timezone, currency: body.currency, feeMinor: feeMinor!, startsOn: body.startsOn, rules,
      capBp: body.capPercent === null ? null : parsePercent(body.capPercent), customerVisible: body.customerVisible,
    }));
  });

  r.get('/organizations/:id/contract', async (req, res) => {
    res.json(await contracts.get(await readableOrg(req)));
  });

  r.get('/organizations/:id/statements', async (req, res) => {
    res.json({ data: await contracts.periods(await readableOrg(req)) });
  });

  r.get('/organizations/:id/statements/:period', async (req, res) => {
    res.json(await contracts.statement(await readableOrg(req), periodOf(req)));
  });
  r.get('/organizations/:id/statements/:period/csv', async (req, res) => {
    const s = await contracts.statement(await readableOrg(req), periodOf(req));
    res.type('text/csv').attachment(`statement-${s.period.key}.csv`).send(statementCsv(s));
  });

  r.post('/breaches/:eventId/exclusion', admin, async (req, res) => {
    const body = parse(exclusionSchema, req.body);
    const x = await contracts.exclude(principalOf(req), String(req.params.eventId), { reason: body.reason, note: body.note || null });
    res.status(201).json(exclusionView(x));
  });

  r.post('/breach-exclusions/:id/undo', admin, async (req, res) => {
    res.json(exclusionView(await contracts.undo(principalOf(req), idOf(req))));
  });

  r.post('/incidents/:id/breach-exclusions', admin, async (req, res) => {
    const body = parse(exclusionSchema, req.body);
    res.json(await contracts.excludeIncident(principalOf(req), idOf(req), { reason: body.reason, note: body.note || null }));
  });
  return r;
}

export const exclusionView = (x: { id: string; breach_event_id: string; ticket_id: string; reason: string; note: string | null; incident_id: string | null; excluded_by: string; excluded_at: Date; undone_by: string | null; undone_at: Date | null }) => ({
  id: x.id, breachEventId: x.breach_event_id, ticketId: x.ticket_id, reason: x.reason, note: x.note, incidentId: x.incident_id,
  excludedBy: x.excluded_by, excludedAt: x.excluded_at.toISOString(), undoneBy: x.undone_by, undoneAt: x.undone_at?.toISOString() ?? null,
});

// ---- the contract of these routes (the OpenAPI document) ---------------------------------

const money = z.string().describe('a decimal string in the currency, e.g. "600.00"');
const pct = z.string().describe('a percentage, two decimals, e.g. "2.50"');
const clock = z.enum(CREDIT_CLOCKS);
export const contractResponse = z
  .object({
    id: uuid, organizationId: uuid, period: z.enum(['monthly', 'quarterly']), timezone: z.string(), currency: z.string(), fee: money, startsOn: z.string(),
    rules: z.array(z.union([
      z.object({ kind: z.literal('per_breach'), clock, priority: z.string().nullable(), creditBp: z.int() }),
      z.object({ kind: z.literal('achievement'), clock, priority: z.string().nullable(), tiers: z.array(z.object({ belowBp: z.int(), creditBp: z.int() })) }),
    ])).describe('the rules as stored: percentages in basis points (250 = 2.5%)'),
    capPercent: pct.nullable(), customerVisible: z.boolean(), createdAt: z.string(), updatedAt: z.string(),
  })
  .meta({ id: 'Contract', description: "An organization's contract: period, fee and credit rules." });
export const periodsResponse = z.object({ data: z.array(z.object({ key: z.string(), start: z.string(), end: z.string(), status: z.enum(['draft', 'final']), closedAt: z.string().nullable() })) });
export const exclusionResponse = z
  .object({
    id: uuid, breachEventId: z.string(), ticketId: uuid, reason: z.enum(EXCLUSION_REASONS), note: z.string().nullable(), incidentId: uuid.nullable(),
    excludedBy: z.string(), excludedAt: z.string(), undoneBy: z.string().nullable(), undoneAt: z.string().nullable(),
  })
  .meta({ id: 'BreachExclusion', description: 'A breach left out of the service credits, with why and by whom.' });
export const statementResponse = z
  .object({
    contractId: uuid, organizationId: uuid, period: z.object({ key: z.string(), start: z.string(), end: z.string(), timezone: z.string() }), status: z.enum(['draft', 'final']),
    currency: z.string(), fee: money,
    achievement: z.array(z.object({ clock, priority: z.string(), measured: z.int(), met: z.int(), breached: z.int(), excluded: z.int(), achievementPercent: pct.nullable() })),
    breaches: z.array(z.object({
      eventId: z.string(), ticketId: uuid, number: z.string(), clock, cycle: z.int(), priority: z.string(), dueAt: z.string(), late: z.boolean(),
      excluded: z.object({ reason: z.enum(EXCLUSION_REASONS), note: z.string().nullable(), by: z.string(), at: z.string() }).nullable(),
    })),
    lines: z.array(z.object({ rule: z.int(), description: z.string(), clock, priority: z.string().nullable(), breaches: z.int().optional(), achievementPercent: pct.optional(), creditPercent: pct, amount: money })),
    subtotal: money, cap: z.object({ percent: pct, amount: money }).nullable(), capped: z.boolean(), total: money, computedAt: z.string(),
  })
  .meta({ id: 'ContractStatement', description: "A period's statement: achievement, breaches, credit lines, cap and total." });

const everyone = ['admin', 'agent', 'customer'] as const;
const orgId = { id: uuid };
const orgPeriod = { id: uuid, period: periodParam };
const CUSTOMERS = 'A customer reads its own organization\'s, and only when the contract has customerVisible.';

export const CONTRACT_OPERATIONS: readonly Operation[] = [
  {
    method: 'put', path: '/organizations/:id/contract', tag: 'contracts', roles: ['admin'], summary: "Set an organization's contract (replaces its terms)", params: orgId, body: contractSchema,
    description: 'Money and percentages are decimal strings. A breach is credited by the first per_breach rule that matches it; each achievement rule credits its largest tier whose belowPercent the period\'s achievement is under; capPercent bounds the total.',
    success: { 200: { description: 'the contract', schema: contractResponse } },
  },
  { method: 'get', path: '/organizations/:id/contract', tag: 'contracts', roles: everyone, summary: "An organization's contract", params: orgId, description: CUSTOMERS, success: { 200: { description: 'the contract', schema: contractResponse } } },
  { method: 'get', path: '/organizations/:id/statements', tag: 'contracts', roles: everyone, summary: 'The periods of the contract, newest first, draft or final', params: orgId, description: CUSTOMERS, success: { 200: { description: 'the periods', schema: periodsResponse } } },
  {
    method: 'get', path: '/organizations/:id/statements/:period', tag: 'contracts', roles: everyone, summary: "A period's statement (frozen once closed; computed now while it runs)", params: orgPeriod, description: CUSTOMERS,
    success: { 200: { description: 'the statement', schema: statementResponse } },
  },
  { method: 'get', path: '/organizations/:id/statements/:period/csv', tag: 'contracts', roles: everyone, summary: "A period's statement as CSV", params: orgPeriod, description: CUSTOMERS, success: { 200: { description: 'the statement, one row per line', schema: z.string(), contentType: 'text/csv' } } },
  {
    method: 'post', path: '/breaches/:eventId/exclusion', tag: 'contracts', roles: ['admin'], summary: 'Exclude a breach from the credits (with a reason)', params: { eventId: z.string().max(300) }, body: exclusionSchema, errors: [409],
    description: 'The id is the sla.breached event\'s (a statement lists it). 409 already_excluded, or period_closed when its period\'s statement is final.',
    success: { 201: { description: 'the exclusion', schema: exclusionResponse } },
  },
  { method: 'post', path: '/breach-exclusions/:id/undo', tag: 'contracts', roles: ['admin'], summary: 'Undo an exclusion', params: { id: uuid }, errors: [409], bodyRequired: false, success: { 200: { description: 'the exclusion, undone', schema: exclusionResponse } } },
  {
    method: 'post', path: '/incidents/:id/breach-exclusions', tag: 'contracts', roles: ['admin'], summary: "Exclude every breach of an incident's linked tickets", params: { id: uuid }, body: exclusionSchema,
    success: { 200: { description: 'what was excluded and what was skipped (already excluded, period closed)', schema: z.object({ excluded: z.array(uuid), skipped: z.array(z.object({ breachEventId: z.string(), reason: z.string() })) }) } },
  },
];
