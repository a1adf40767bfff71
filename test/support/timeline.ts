/**
 * Timelines as the API answers them (`GET /tickets/:id/events`, `GET /incidents/:id/events`),
 * typed by the view the routes build, and the ladder's action events on them, typed by the
 * event union the workflows and activities write (workflows/contract/events.ts).
 */
import assert from 'node:assert/strict';
import type { ActionOutcomeData, ActionOutcomeEvent } from '../../workflows/contract/events';
import { eventList } from '../../src/http/api/openapi/responses';
import type { EventView } from '../../src/domain/tickets/ticket-view';
import type { PacerHarness } from './api-harness';

/** One timeline entry; its `data` is the JSON object the event was recorded with. */
export type TimelineEvent = EventView & { data: Record<string, unknown> };

export type ActionEventType = ActionOutcomeEvent['type'];

/** What a ladder action's outcome records (workflows/contract/events.ts). */
export type ActionEventData = ActionOutcomeData;

export type ActionEvent = TimelineEvent & { type: ActionEventType; data: ActionEventData };

/** The timeline of a ticket or an incident, read with the admin key unless another is given. */
export async function timeline(h: PacerHarness, of: 'tickets' | 'incidents', id: string, key?: string): Promise<TimelineEvent[]> {
  const res = await h.api(`/api/v1/${of}/${id}/events`, { key });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.ok(eventList.safeParse(res.body).success, `not a timeline: ${JSON.stringify(res.body)}`);
  return (res.body as { data: TimelineEvent[] }).data;
}

/** A ladder action's outcome: of this type (any outcome when not given) and, when given, of this step. */
export function isActionEvent(e: TimelineEvent, type?: ActionEventType, step?: string): e is ActionEvent {
  const isOutcome = e.type === 'action.done' || e.type === 'action.skipped' || e.type === 'action.failed';
  return isOutcome && (type === undefined || e.type === type) && typeof e.data.step === 'string' && typeof e.data.detail === 'string' && (step === undefined || e.data.step === step);
}

/** The first outcome of `type` for `step` on a timeline, if any. */
export function actionEvent(events: TimelineEvent[], type: ActionEventType, step?: string): ActionEvent | undefined {
  return events.find((e): e is ActionEvent => isActionEvent(e, type, step));
}
