/**
 * The request schemas of routing (groups, members, agent profiles and status, rules), zod at
 * the edge: the API (`/api/v1/routing/...`) and the console's routing forms parse with them, so
 * both refuse alike and name the fields; the domain (src/domain/routing) takes what they produce
 * and checks what needs the store (names taken, calendars, groups and users that exist).
 */
import { z } from 'zod';
import { PRIORITIES } from '../../../workflows/contract/ticket';
import { ROUTING_STRATEGIES } from '../../domain/routing/routing-groups';
import { AGENT_STATUSES } from '../../domain/routing/agent-status';
import type { RoutingGroupInput } from '../../domain/routing/routing-groups';
import type { RoutingRuleInput } from '../../domain/routing/routing-rules';
import type { AgentProfileInput } from '../../domain/routing/agent-profiles';
import { channel, safeString, text, uuid } from './schemas';

/** Lists in a rule or profile are small; the bound keeps a body from making evaluation grow. */
const MAX_LIST = 100;
export const SKILL_LEVELS = { min: 1, max: 5 } as const;

const unique = <T extends z.ZodType>(item: T, key: (v: z.output<T>) => string = String) =>
  z
    .array(item)
    .max(MAX_LIST)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((v, i) => {
        const k = key(v);
        if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: 'listed twice' });
        seen.add(k);
      });
    });

/** A skill's name: trimmed, lower case, so "Billing" and "billing " are one skill. */
const skillName = text(100).transform((s) => s.toLowerCase());
const level = z.int(`a level is a whole number from ${SKILL_LEVELS.min} to ${SKILL_LEVELS.max}`).min(SKILL_LEVELS.min).max(SKILL_LEVELS.max);
/** ISO 639-1: two letters, any case in, lower case out. */
export const languageCode = z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.string().regex(/^[a-z]{2}$/, 'expected a two-letter ISO 639-1 code (en, de, fr)'));
const minutes = (max: number) => z.int().min(0).max(max);

export const routingGroupSchema = z.strictObject({
  name: text(200),
  strategy: z.enum(ROUTING_STRATEGIES, { error: `one of ${ROUTING_STRATEGIES.join(', ')}` }).default('deadline_aware'),
  releaseOnOffline: z.boolean().default(true),
  /** Null: an away agent keeps their tickets. At most a week. */
  awayReleaseMinutes: minutes(7 * 24 * 60).nullable().default(null),
  releaseOnShiftEnd: z.boolean().default(true),
  /** The time an agent needs to answer; at most a day. */
  answerMinutes: minutes(24 * 60).default(30),
}) satisfies z.ZodType<RoutingGroupInput>;

export const groupMemberSchema = z.strictObject({ userId: uuid });

export const agentSkillSchema = z.strictObject({ name: skillName, level });
export const requiredSkillSchema = z.strictObject({ name: skillName, minLevel: level });

const capacity = z.int('capacity is a whole number of open tickets').min(0, 'capacity cannot be below 0').max(1000);

export const agentProfileSchema = z.strictObject({
  capacity: capacity.default(5),
  /** Priority -> most open tickets of that priority at once (under the total). */
  capacityByPriority: z.partialRecord(z.enum(PRIORITIES), capacity).default({}),
  calendarId: uuid.nullable().default(null),
  daysOff: unique(z.iso.date()).default([]),
  languages: unique(languageCode).default([]),
  skills: unique(agentSkillSchema, (s) => s.name).default([]),
}) satisfies z.ZodType<AgentProfileInput, unknown>;

export const agentStatusSchema = z.strictObject({ status: z.enum(AGENT_STATUSES, { error: `one of ${AGENT_STATUSES.join(', ')}` }) });

const word = safeString().trim().min(1).max(100);
export const routingConditionsSchema = z.strictObject({
  organizationIds: unique(uuid).optional(),
  tiers: unique(safeString().min(1).max(100)).optional(),
  priorities: unique(z.enum(PRIORITIES)).optional(),
  categories: unique(text(200)).optional(),
  channels: unique(channel).optional(),
  languages: unique(languageCode).optional(),
  subjectWords: unique(word, (w) => w.toLowerCase()).optional(),
});

export const routingRuleSchema = z.strictObject({
  name: text(200),
  enabled: z.boolean().default(true),
  conditions: routingConditionsSchema.default({}),
  groupId: uuid,
  requiredSkills: unique(requiredSkillSchema, (s) => s.name).default([]),
}) satisfies z.ZodType<RoutingRuleInput, unknown>;

export const reorderRulesSchema = z.strictObject({ ruleIds: z.array(uuid).max(10_000) });
