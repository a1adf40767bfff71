/** Turns a workflow's timing inputs into the live SLA state at a given instant. Pure. */
import { describeClock, planSla, type PlannedClock } from './clock-plan';
import type { SlaInputs, SlaState } from '../contract/ticket';

const DAY_MS = 86_400_000;

function latest(cycles: PlannedClock[], fired: ReadonlySet<string>, now: number) {
  const c = cycles[cycles.length - 1];
  return c ? { ...describeClock(c, fired, now), cycle: c.cycle } : null;
}

export function describeSla(inputs: SlaInputs, now: number): SlaState {
  const plan = planSla(inputs.policy, Date.parse(inputs.createdAt), inputs.events);
  const fired = new Set(inputs.fired);
  const solvedAt = inputs.solvedAt === null ? null : Date.parse(inputs.solvedAt);
  return {
    ticketId: inputs.ticketId,
    status: inputs.status,
    priority: inputs.priority,
    policyName: inputs.policy?.name ?? null,
    firstResponse: plan.firstResponse ? describeClock(plan.firstResponse, fired, now) : null,
    resolution: plan.resolution ? { ...describeClock(plan.resolution, fired, now), cycle: plan.resolution.cycle } : null,
    nextReply: typeof inputs.policy?.nextReplyMinutes === 'number' ? plan.nextReply.map((c) => ({ ...describeClock(c, fired, now), cycle: c.cycle })) : null,
    updateCadence: latest(plan.update, fired, now),
    autoCloseAt: solvedAt === null ? null : new Date(solvedAt + (inputs.policy?.autoCloseDays ?? 7) * DAY_MS).toISOString(),
    stateVersion: inputs.stateVersion,
  };
}
