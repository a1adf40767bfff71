/** SLA shapes the contract speaks of: a business calendar's input and a cadence event. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Weekly windows are "HH:MM" local wall times ("24:00" may end one); holidays are local "YYYY-MM-DD" dates. */
export interface CalendarSpec {
  timezone: string;
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  holidays: string[];
}

/**
 * What the update cadence listens to: `owing` when the ticket (or incident) enters a state in
 * which updates are owed, `not_owing` when it leaves it, `update` for each public update.
 * A cycle starts on entering an owing state and again at each public update made while
 * owing; an update or leaving the owing state meets the running one.
 */
export type CadenceEvent = { at: number; type: 'owing' | 'not_owing' | 'update' };
