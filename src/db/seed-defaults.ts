/**
 * Default tiers, priorities, calendars and SLA policies, drawn from the seed documents
 * (../shared/seeds) where they agree; README "Default SLA data" explains each choice where
 * they disagree. Inserted once: an administrator's later edits are never overwritten.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import { seedIncidentPolicies } from './repositories/incident-policies';

const HOUR = 60;
/** A business day on the 09:00–17:00 calendar is eight business hours. */
const BUSINESS_DAY = 8 * HOUR;

export const DEFAULT_TIERS = [
  { name: 'community', label: 'Community (free)', rank: 0 },
  { name: 'starter', label: 'Starter', rank: 1 },
  { name: 'professional', label: 'Professional', rank: 2 },
  { name: 'enterprise', label: 'Enterprise', rank: 3 },
  { name: 'premium', label: 'Premium', rank: 4 },
];

export const DEFAULT_PRIORITIES = [
  { name: 'urgent', label: 'P1 Urgent / Critical', rank: 1 },
  { name: 'high', label: 'P2 High', rank: 2 },
  { name: 'normal', label: 'P3 Normal', rank: 3 },
  { name: 'low', label: 'P4 Low', rank: 4 },
];

const weekdays = (hours: Array<[string, string]>) => ({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] });
const everyDay = (hours: Array<[string, string]>) => ({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours });

export const DEFAULT_CALENDARS = [
  { name: '24x7', timezone: 'UTC', weekly: everyDay([['00:00', '24:00']]), holidays: [] as string[] },
  {
    name: 'us-eastern-business-hours',
    timezone: 'America/New_York',
    weekly: weekdays([['09:00', '17:00']]),
    holidays: ['2026-11-26', '2026-12-25', '2027-01-01', '2027-05-31', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24'],
  },
];

type Step = { percent: number; actions: Array<Record<string, unknown>> };
const DEFAULT_LADDER: Step[] = [
  { percent: 80, actions: [{ type: 'notify', role: 'assignee' }] },
  { percent: 100, actions: [{ type: 'notify', role: 'manager' }] },
  { percent: 120, actions: [{ type: 'escalate', role: 'manager' }] },
];

interface PolicySeed {
  tier: string;
  priority: string;
  calendar: string;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  escalations: Step[];
}

export const DEFAULT_POLICIES: PolicySeed[] = [
  {
    tier: 'enterprise', priority: 'urgent', calendar: '24x7', firstResponseMinutes: 4 * HOUR, resolutionMinutes: 24 * HOUR,
    escalations: [
      { percent: 80, actions: [{ type: 'notify', role: 'manager' }] },
      { percent: 100, actions: [{ type: 'escalate', role: 'vp_engineering' }] },
      { percent: 120, actions: [{ type: 'page', target: 'on_call' }] },
    ],
  },
  {
    tier: 'enterprise', priority: 'high', calendar: 'us-eastern-business-hours', firstResponseMinutes: 8 * HOUR, resolutionMinutes: 3 * BUSINESS_DAY,
    escalations: [
      { percent: 80, actions: [{ type: 'notify', role: 'manager' }] },
      { percent: 100, actions: [{ type: 'escalate', role: 'director' }] },
      { percent: 120, actions: [{ type: 'escalate', role: 'director' }] },
    ],
  },
  { tier: 'enterprise', priority: 'normal', calendar: 'us-eastern-business-hours', firstResponseMinutes: 24 * HOUR, resolutionMinutes: 7 * BUSINESS_DAY, escalations: DEFAULT_LADDER },
  { tier: 'enterprise', priority: 'low', calendar: 'us-eastern-business-hours', firstResponseMinutes: 48 * HOUR, resolutionMinutes: 14 * BUSINESS_DAY, escalations: DEFAULT_LADDER },
  {
    tier: 'professional', priority: 'urgent', calendar: 'us-eastern-business-hours', firstResponseMinutes: 8 * HOUR, resolutionMinutes: 2 * BUSINESS_DAY,
    escalations: [
      { percent: 80, actions: [{ type: 'notify', role: 'assignee' }] },
      { percent: 100, actions: [{ type: 'notify', role: 'manager' }] },
      { percent: 120, actions: [{ type: 'escalate', role: 'manager' }] },
    ],
  },
  { tier: 'professional', priority: 'high', calendar: 'us-eastern-business-hours', firstResponseMinutes: 24 * HOUR, resolutionMinutes: 5 * BUSINESS_DAY, escalations: DEFAULT_LADDER },
  { tier: 'professional', priority: 'normal', calendar: 'us-eastern-business-hours', firstResponseMinutes: 48 * HOUR, resolutionMinutes: 10 * BUSINESS_DAY, escalations: DEFAULT_LADDER },
  // Professional has no "low" in the seeds: it gets the normal targets rather than no SLA.
  { tier: 'professional', priority: 'low', calendar: 'us-eastern-business-hours', firstResponseMinutes: 48 * HOUR, resolutionMinutes: 10 * BUSINESS_DAY, escalations: DEFAULT_LADDER },
];

export async function seedDefaults(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('tiers').values(DEFAULT_TIERS).onConflict((oc) => oc.column('name').doNothing()).execute();
    await tx.insertInto('priorities').values(DEFAULT_PRIORITIES).onConflict((oc) => oc.column('name').doNothing()).execute();
    for (const c of DEFAULT_CALENDARS) {
      await tx
        .insertInto('calendars')
        .values({ id: crypto.randomUUID(), name: c.name, timezone: c.timezone, weekly: JSON.stringify(c.weekly), holidays: JSON.stringify(c.holidays) })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    }
    const calendars = await tx.selectFrom('calendars').select(['id', 'name']).execute();
    const calendarId = (name: string) => calendars.find((c) => c.name === name)!.id;
    for (const p of DEFAULT_POLICIES) {
      await tx
        .insertInto('sla_policies')
        .values({
          id: crypto.randomUUID(),
          name: `${p.tier} ${p.priority}`,
          tier: p.tier,
          priority: p.priority,
          calendar_id: calendarId(p.calendar),
          first_response_minutes: p.firstResponseMinutes,
          resolution_minutes: p.resolutionMinutes,
          pause_on: JSON.stringify(['pending']),
          escalations: JSON.stringify(p.escalations),
          auto_close_days: 7,
        })
        .onConflict((oc) => oc.columns(['tier', 'priority']).doNothing())
        .execute();
    }
    await seedIncidentPolicies(tx);
  });
}
