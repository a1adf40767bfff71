/**
 * The exact parts of service credits: money in minor units per currency, percentages in basis
 * points, credits rounded half up, achievement compared in integers, and periods that start
 * at the first instant of a local month — across DST changes, midnight gaps and half-hour zones.
 */
import assert from 'node:assert/strict';
import { achievementBp, formatAmount, formatPercent, isBelow, parseAmount, parsePercent, shareOf } from '../../src/domain/contracts/money';
import { nthPeriod, periodByKey, periodContaining, startOfLocalDay } from '../../src/domain/contracts/periods';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

describe('contracts: money and percentages', () => {
  it('parses amounts to the currency\'s minor unit and refuses more decimals than it has', () => {
    assert.equal(parseAmount('12000.50', 'EUR'), 1_200_050n);
    assert.equal(parseAmount('12000', 'EUR'), 1_200_000n);
    assert.equal(parseAmount('0.05', 'USD'), 5n);
    assert.equal(parseAmount('1500', 'JPY'), 1500n);
    assert.equal(parseAmount('1.5', 'JPY'), null);
    assert.equal(parseAmount('1.234', 'KWD'), 1234n);
    assert.equal(parseAmount('1.234', 'EUR'), null);
    for (const bad of ['', '-1', '1e3', '1,5', ' 1', '1.', '.5', 'NaN', '1234567890123456']) assert.equal(parseAmount(bad, 'EUR'), null, bad);
  });

  it('formats minor units back, with the currency\'s decimals', () => {
    assert.equal(formatAmount(1_200_050n, 'EUR'), '12000.50');
    assert.equal(formatAmount(5n, 'USD'), '0.05');
    assert.equal(formatAmount(0n, 'USD'), '0.00');
    assert.equal(formatAmount(1500n, 'JPY'), '1500');
    assert.equal(formatAmount(1234n, 'KWD'), '1.234');
    // Beyond a double's exact integers.
    assert.equal(formatAmount(parseAmount('999999999999999.99', 'USD')!, 'USD'), '999999999999999.99');
  });

  it('reads percentages as basis points (0…100, two decimals) and writes them back', () => {
    assert.equal(parsePercent('5'), 500);
    assert.equal(parsePercent('2.5'), 250);
    assert.equal(parsePercent('99.99'), 9999);
    assert.equal(parsePercent('100'), 10_000);
    assert.equal(parsePercent('0'), 0);
    for (const bad of ['100.01', '101', '-1', '2.555', '', '5%', '1e1']) assert.equal(parsePercent(bad), null, bad);
    assert.equal(formatPercent(250), '2.50');
    assert.equal(formatPercent(10_000), '100.00');
    assert.equal(formatPercent(5), '0.05');
  });

  it('credits a share of the fee rounded half up to the minor unit, exactly for any fee', () => {
    assert.equal(shareOf(100_000n, 500), 5_000n); // 5% of 1000.00 = 50.00
    assert.equal(shareOf(333n, 500), 17n); // 5% of 3.33 = 0.1665 → 0.17
    assert.equal(shareOf(330n, 250), 8n); // 2.5% of 3.30 = 0.0825 → 0.08
    assert.equal(shareOf(100n, 50), 1n); // 0.5% of 1.00 = 0.005 → 0.01 (half up)
    assert.equal(shareOf(100_000n, 200, 3), 6_000n);
    const big = parseAmount('999999999999999.99', 'USD')!;
    assert.equal(shareOf(big, 3333), (big * 3333n + 5000n) / 10_000n);
  });

  it('compares achievement with a tier exactly, with no rounding at the edge', () => {
    assert.equal(isBelow(99, 100, 9900), false, '99 of 100 is not below 99%');
    assert.equal(isBelow(98, 100, 9900), true);
    assert.equal(isBelow(197, 199, 9900), true, '197 of 199 is 98.99…%: below 99%');
    assert.equal(isBelow(9999, 10_000, 9999), false, 'exactly 99.99% is not below 99.99%');
    assert.equal(isBelow(2, 3, 6667), true, '66.666…% is below 66.67%');
    assert.equal(isBelow(2, 3, 6666), false);
    assert.equal(achievementBp(2, 3), 6666);
    assert.equal(achievementBp(1, 1), 10_000);
  });
});

describe('contracts: periods in a zone', () => {
  it('a month in New York starts at local midnight: EDT in November, EST in December (a November 1 h longer)', () => {
    const t = { period: 'monthly' as const, timezone: 'America/New_York', startsOn: '2026-10-01' };
    const nov = nthPeriod(t, 1);
    assert.equal(nov.key, '2026-11');
    assert.equal(at(nov.start.getTime()), '2026-11-01T04:00:00.000Z');
    assert.equal(at(nov.end.getTime()), '2026-12-01T05:00:00.000Z');
    assert.equal(nov.end.getTime() - nov.start.getTime(), (30 * 24 + 1) * 3_600_000);
    const mar = nthPeriod(t, 5);
    assert.equal(mar.key, '2027-03');
    assert.equal(mar.end.getTime() - mar.start.getTime(), (31 * 24 - 1) * 3_600_000, 'March loses the spring-forward hour');
  });

  it('places instants on either side of a boundary in the right period', () => {
    const t = { period: 'monthly' as const, timezone: 'America/New_York', startsOn: '2026-10-01' };
    assert.equal(periodContaining(t, new Date('2026-11-01T03:59:59.999Z'))!.key, '2026-10');
    assert.equal(periodContaining(t, new Date('2026-11-01T04:00:00.000Z'))!.key, '2026-11');
    assert.equal(periodContaining(t, new Date('2026-12-01T04:59:59.999Z'))!.key, '2026-11');
    assert.equal(periodContaining(t, new Date('2026-12-01T05:00:00.000Z'))!.key, '2026-12');
    assert.equal(periodContaining(t, new Date('2026-10-01T03:59:59.999Z')), null, 'before the contract');
  });

  it('a day that starts in a DST gap starts at the gap\'s end (Santiago springs forward at midnight)', () => {
    // 2026-09-06 00:00 in Santiago does not exist: clocks go from 23:59:59 (-04) to 01:00 (-03).
    assert.equal(at(startOfLocalDay('America/Santiago', day('2026-09-06'))), '2026-09-06T04:00:00.000Z');
    assert.equal(at(startOfLocalDay('America/Santiago', day('2026-09-05'))), '2026-09-05T04:00:00.000Z');
    assert.equal(at(startOfLocalDay('America/Santiago', day('2026-09-07'))), '2026-09-07T03:00:00.000Z');
  });

  it('half-hour and far zones, and UTC: each period ends where the next begins', () => {
    for (const timezone of ['Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC', 'Europe/London', 'America/Santiago']) {
      const t = { period: 'monthly' as const, timezone, startsOn: '2026-01-01' };
      for (let n = 0; n < 24; n++) {
        const [p, q] = [nthPeriod(t, n), nthPeriod(t, n + 1)];
        assert.equal(p.end.getTime(), q.start.getTime(), `${timezone} ${p.key}`);
        assert.equal(periodContaining(t, p.start)!.key, p.key);
        assert.equal(periodContaining(t, new Date(p.end.getTime() - 1))!.key, p.key);
      }
    }
    assert.equal(at(nthPeriod({ period: 'monthly', timezone: 'Asia/Kolkata', startsOn: '2026-01-01' }, 0).start.getTime()), '2025-12-31T18:30:00.000Z');
  });

  it('quarters start on months 1, 4, 7 and 10, and keys name only the contract\'s own periods', () => {
    const t = { period: 'quarterly' as const, timezone: 'Europe/Berlin', startsOn: '2026-01-01' };
    assert.deepEqual([0, 1, 2, 3].map((n) => nthPeriod(t, n).key), ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
    assert.equal(at(nthPeriod(t, 1).start.getTime()), '2026-03-31T22:00:00.000Z', 'CEST midnight');
    assert.equal(periodByKey(t, '2026-Q3')!.key, '2026-Q3');
    assert.equal(periodByKey(t, '2026-07'), null, 'a month is not a quarterly contract\'s period');
    assert.equal(periodByKey(t, '2025-Q4'), null, 'before the contract');
    const m = { period: 'monthly' as const, timezone: 'UTC', startsOn: '2026-11-01' };
    assert.equal(periodByKey(m, '2026-12')!.start.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(periodByKey(m, '2026-13'), null);
    assert.equal(periodByKey(m, 'nonsense'), null);
  });
});
