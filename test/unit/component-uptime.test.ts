/**
 * The status page's arithmetic: the worst of several statuses, a component's current status
 * from its manual status and open impacts, and 90-day uptime from impact stretches —
 * overlapping incidents counted once, stretches across midnight split between the days,
 * open stretches running to now, history before the window or before the component ignored.
 */
import assert from 'node:assert/strict';
import { COMPONENT_STATUSES, IMPACT_LEVELS, isComponentStatus, worstStatus } from '../../src/domain/status/component-status';
import { currentComponentStatus, overallStatus } from '../../src/domain/status/current-status';
import { componentUptime, DAY_MS, downtimeIntervals, uptimePercent, type ImpactStretch } from '../../src/domain/status/uptime';

const at = (iso: string) => new Date(iso);
const H = 3_600_000;
const stretch = (impact: string, start: string, end: string | null): ImpactStretch => ({ impact, startedAt: at(start), endedAt: end === null ? null : at(end) });

describe('component status', () => {
  it('lists the statuses best first; impacts are every status but operational', () => {
    assert.deepEqual([...COMPONENT_STATUSES], ['operational', 'degraded', 'partial_outage', 'major_outage']);
    assert.deepEqual([...IMPACT_LEVELS], ['degraded', 'partial_outage', 'major_outage']);
    assert.ok(isComponentStatus('degraded'));
    assert.ok(!isComponentStatus('down'));
    assert.ok(!isComponentStatus('toString'), 'no prototype keys');
  });

  it('worstStatus picks the worst, is operational for none, and ignores unknown values', () => {
    assert.equal(worstStatus([]), 'operational');
    assert.equal(worstStatus(['operational', 'degraded']), 'degraded');
    assert.equal(worstStatus(['major_outage', 'degraded', 'partial_outage']), 'major_outage');
    assert.equal(worstStatus(['partial_outage', 'degraded']), 'partial_outage');
    assert.equal(worstStatus(['bogus', null, undefined, 'degraded']), 'degraded');
    // every pair: the worse one wins whatever the order
    for (const [i, a] of COMPONENT_STATUSES.entries()) {
      for (const [j, b] of COMPONENT_STATUSES.entries()) {
        assert.equal(worstStatus([a, b]), COMPONENT_STATUSES[Math.max(i, j)]);
      }
    }
  });

  it("a component's current status is the worst of its manual status and its open impacts", () => {
    assert.equal(currentComponentStatus('operational', []), 'operational');
    assert.equal(currentComponentStatus('operational', ['degraded']), 'degraded');
    assert.equal(currentComponentStatus('major_outage', ['degraded']), 'major_outage', 'maintenance set by hand outranks a milder incident');
    assert.equal(currentComponentStatus('degraded', ['partial_outage', 'degraded']), 'partial_outage');
    assert.equal(overallStatus([]), 'operational');
    assert.equal(overallStatus(['operational', 'partial_outage', 'degraded']), 'partial_outage');
  });
});

describe('uptime', () => {
  const now = at('2026-12-10T12:00:00Z');
  const longAgo = at('2026-01-01T00:00:00Z');
  const day = (report: ReturnType<typeof componentUptime>, date: string) => {
    const d = report.days.find((x) => x.date === date);
    assert.ok(d, `no day ${date}`);
    return d;
  };

  it('covers 90 UTC days ending today, today observed only up to now', () => {
    const r = componentUptime({ createdAt: longAgo, stretches: [], now });
    assert.equal(r.days.length, 90);
    assert.equal(r.days[0]!.date, '2026-09-12');
    assert.equal(r.days[89]!.date, '2026-12-10');
    assert.equal(r.days[89]!.observedMs, 12 * H);
    assert.ok(r.days.slice(0, 89).every((d) => d.observedMs === DAY_MS && d.uptimePercent === 100));
    assert.equal(r.uptimePercent, 100);
    assert.equal(r.observedMs, 89 * DAY_MS + 12 * H);
  });

  it('counts partial and major outages as down, degraded as up', () => {
    const r = componentUptime({
      createdAt: longAgo,
      now,
      stretches: [stretch('degraded', '2026-12-01T00:00:00Z', '2026-12-01T12:00:00Z'), stretch('partial_outage', '2026-12-02T00:00:00Z', '2026-12-02T06:00:00Z'), stretch('major_outage', '2026-12-03T00:00:00Z', '2026-12-03T12:00:00Z')],
    });
    assert.equal(day(r, '2026-12-01').uptimePercent, 100);
    assert.equal(day(r, '2026-12-02').uptimePercent, 75);
    assert.equal(day(r, '2026-12-02').downtimeMs, 6 * H);
    assert.equal(day(r, '2026-12-03').uptimePercent, 50);
    assert.equal(r.downtimeMs, 18 * H);
  });

  it('counts overlapping incidents once', () => {
    const r = componentUptime({
      createdAt: longAgo,
      now,
      stretches: [
        stretch('major_outage', '2026-12-05T02:00:00Z', '2026-12-05T08:00:00Z'),
        stretch('partial_outage', '2026-12-05T06:00:00Z', '2026-12-05T10:00:00Z'), // overlaps the first
        stretch('partial_outage', '2026-12-05T03:00:00Z', '2026-12-05T04:00:00Z'), // inside the first
        stretch('major_outage', '2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z'), // touches the second
        stretch('degraded', '2026-12-05T00:00:00Z', '2026-12-05T23:00:00Z'),
      ],
    });
    assert.equal(day(r, '2026-12-05').downtimeMs, 9 * H, '02:00–11:00');
    assert.equal(r.downtimeMs, 9 * H);
  });

  it('splits a stretch that crosses midnight between the two days', () => {
    const r = componentUptime({ createdAt: longAgo, now, stretches: [stretch('major_outage', '2026-12-06T18:00:00Z', '2026-12-07T06:00:00Z')] });
    assert.equal(day(r, '2026-12-06').downtimeMs, 6 * H);
    assert.equal(day(r, '2026-12-06').uptimePercent, 75);
    assert.equal(day(r, '2026-12-07').downtimeMs, 6 * H);
    assert.equal(day(r, '2026-12-05').downtimeMs, 0);
    assert.equal(day(r, '2026-12-08').downtimeMs, 0);
  });

  it('runs an open stretch up to now and no further', () => {
    const r = componentUptime({ createdAt: longAgo, now, stretches: [stretch('major_outage', '2026-12-09T12:00:00Z', null)] });
    assert.equal(day(r, '2026-12-09').downtimeMs, 12 * H);
    assert.equal(day(r, '2026-12-10').downtimeMs, 12 * H);
    assert.equal(day(r, '2026-12-10').uptimePercent, 0, 'down for all of today so far');
    assert.equal(r.downtimeMs, 24 * H);
  });

  it('ignores stretches before the window, clips one that starts before it, and ignores end times in the future', () => {
    const r = componentUptime({
      createdAt: longAgo,
      now,
      stretches: [
        stretch('major_outage', '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z'),
        stretch('major_outage', '2026-09-11T12:00:00Z', '2026-09-12T06:00:00Z'),
        stretch('partial_outage', '2026-12-10T11:00:00Z', '2026-12-10T20:00:00Z'),
      ],
    });
    assert.equal(day(r, '2026-09-12').downtimeMs, 6 * H);
    assert.equal(day(r, '2026-12-10').downtimeMs, 1 * H, 'clipped to now');
    assert.equal(r.downtimeMs, 7 * H);
  });

  it('shows days before the component existed as no data and measures its first day from creation', () => {
    const r = componentUptime({ createdAt: at('2026-12-08T18:00:00Z'), now, stretches: [stretch('major_outage', '2026-12-08T12:00:00Z', '2026-12-08T21:00:00Z')] });
    assert.ok(r.days.slice(0, 87).every((d) => d.uptimePercent === null && d.observedMs === 0));
    assert.equal(day(r, '2026-12-07').uptimePercent, null);
    const first = day(r, '2026-12-08');
    assert.equal(first.observedMs, 6 * H);
    assert.equal(first.downtimeMs, 3 * H, 'only the part after creation counts');
    assert.equal(first.uptimePercent, 50);
    assert.equal(r.observedMs, 6 * H + DAY_MS + 12 * H);
    assert.equal(r.uptimePercent, uptimePercent(r.observedMs, 3 * H));
    assert.equal(r.uptimePercent, 92.85, '39 h of 42 h, floored');
  });

  it('a component created after now (clock skew) has no data at all', () => {
    const r = componentUptime({ createdAt: at('2026-12-10T13:00:00Z'), now, stretches: [] });
    assert.ok(r.days.every((d) => d.uptimePercent === null));
    assert.equal(r.uptimePercent, null);
  });

  it('floors percentages so any down time shows below 100', () => {
    assert.equal(uptimePercent(DAY_MS, 0), 100);
    assert.equal(uptimePercent(90 * DAY_MS, 1), 99.99);
    assert.equal(uptimePercent(3, 1), 66.66);
    assert.equal(uptimePercent(4, 4), 0);
    assert.equal(uptimePercent(0, 0), null);
  });

  it('ignores empty and inverted stretches and merges unsorted input', () => {
    const merged = downtimeIntervals(
      [stretch('major_outage', '2026-12-01T05:00:00Z', '2026-12-01T06:00:00Z'), stretch('major_outage', '2026-12-01T01:00:00Z', '2026-12-01T01:00:00Z'), stretch('major_outage', '2026-12-01T04:00:00Z', '2026-12-01T03:00:00Z'), stretch('partial_outage', '2026-12-01T00:00:00Z', '2026-12-01T05:30:00Z')],
      now.getTime(),
    );
    assert.deepEqual(merged, [[at('2026-12-01T00:00:00Z').getTime(), at('2026-12-01T06:00:00Z').getTime()]]);
  });
});
