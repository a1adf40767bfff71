/**
 * The report's replay of a ticket's event log (src/domain/reports/ticket-summary.ts) against the
 * workflow's own answer (describeSla, what GET /tickets/:id/sla serves): for each scripted
 * ticket of the known week, every clock's due, met and business time at met are the same.
 */
import assert from 'node:assert/strict';
import { summarizeTicket } from '../../src/domain/reports/ticket-summary';
import { describeSla } from '../../workflows/ticket/sla-state';
import type { TicketStatus } from '../../workflows/contract/ticket';
import { knownWeek, scriptTicket } from '../support/report-fixtures';
import { NEW_YORK_9_TO_5, policy } from '../support/ticket-fixtures';

const nyPolicy = policy({ name: 'starter high (NY)', calendar: NEW_YORK_9_TO_5, firstResponseMinutes: 60, resolutionMinutes: 480, nextReplyMinutes: 60, pauseOn: ['pending'], escalations: [] });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('report summaries replay the event log as the workflow plans it', () => {
  for (const [name, script] of Object.entries(knownWeek('00000000-0000-4000-8000-000000000001', nyPolicy))) {
    it(`${name}: every clock as describeSla says`, () => {
      const rows = scriptTicket(script, `TKT-${name}`);
      const events = rows.events.map((e) => ({ type: e.type, at: new Date(String(e.at)), actor: e.actor, data: JSON.parse(String(e.data)) as Record<string, unknown> }));
      const summary = summarizeTicket(Date.parse(String(rows.ticket.created_at)), String(rows.ticket.status) as TicketStatus, nyPolicy, events);
      const sla = describeSla(rows.inputs, Date.parse('2026-12-01T00:00:00Z'));
      const live = [
        ...(sla.firstResponse ? [{ clock: 'first_response', cycle: 0, c: sla.firstResponse }] : []),
        ...(sla.resolution ? [{ clock: 'resolution', cycle: sla.resolution.cycle, c: sla.resolution }] : []),
        ...(sla.nextReply ?? []).map((c) => ({ clock: 'next_reply', cycle: c.cycle, c })),
      ];
      assert.deepEqual(
        summary.clocks.map((c) => ({ clock: c.clock, cycle: c.cycle, dueAt: iso(c.dueAt), metAt: iso(c.metAt), seconds: c.businessMs === null ? null : Math.floor(c.businessMs / 1000) })),
        live.map((l) => ({ clock: l.clock, cycle: l.cycle, dueAt: l.c.dueAt, metAt: l.c.metAt, seconds: l.c.metAt === null ? null : l.c.elapsedSeconds })),
      );
    });
  }
});
