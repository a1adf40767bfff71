/**
 * The statuses a service component can be in, from best to worst, and how they combine.
 * Pure: the status page, the components API and incident impacts (the three
 * non-operational values) all use this one list.
 */

export const COMPONENT_STATUSES = ['operational', 'degraded', 'partial_outage', 'major_outage'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** What an incident can do to a component: every status except operational. */
export const IMPACT_LEVELS = ['degraded', 'partial_outage', 'major_outage'] as const;

const RANK: Record<ComponentStatus, number> = { operational: 0, degraded: 1, partial_outage: 2, major_outage: 3 };

export function isComponentStatus(value: unknown): value is ComponentStatus {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** Whether the status page counts this status as down time; degraded performance counts as up. */
export function isDowntime(status: string): boolean {
  return status === 'partial_outage' || status === 'major_outage';
}

/**
 * The worst of the given statuses; `operational` when there are none. Values that are not a
 * component status (a row written by a newer version, a typo in the database) are ignored
 * rather than allowed to break a public page.
 */
export function worstStatus(statuses: Iterable<string | null | undefined>): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const s of statuses) {
    if (isComponentStatus(s) && RANK[s] > RANK[worst]) worst = s;
  }
  return worst;
}

/** Human labels for the page and for mail: the status page never relies on colour alone. */
export const STATUS_LABELS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

/** The banner above the page for an overall status. */
export const OVERALL_LABELS: Record<ComponentStatus, string> = {
  operational: 'All systems operational',
  degraded: 'Some systems are experiencing degraded performance',
  partial_outage: 'Some systems are experiencing a partial outage',
  major_outage: 'Some systems are experiencing a major outage',
};
