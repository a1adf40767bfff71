/**
 * Money and percentages, exactly: amounts are integer minor units (bigint), percentages are
 * basis points (integers, 250 = 2.5%). Clients write both as decimal strings ("12000.00",
 * "2.5"); nothing is ever a float, so a credit is the same to the cent on every machine.
 */

/** ISO 4217 currencies whose minor unit is not the cent (all others have two decimals). */
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

export const exponentOf = (currency: string): number => EXPONENTS[currency] ?? 2;

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,4}))?$/;

/** "12000.5" in EUR → 1200050n; null when it is not a plain non-negative decimal or has more decimals than the currency. */
export function parseAmount(text: string, currency: string): bigint | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const exp = exponentOf(currency);
  const fraction = m[2] ?? '';
  if (fraction.length > exp) return null;
  return BigInt(m[1]!) * 10n ** BigInt(exp) + BigInt(fraction.padEnd(exp, '0') || '0');
}

/** 1200050n in EUR → "12000.50". */
export function formatAmount(minor: bigint, currency: string): string {
  const exp = exponentOf(currency);
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  if (exp === 0) return `${sign}${abs}`;
  const unit = 10n ** BigInt(exp);
  return `${sign}${abs / unit}.${(abs % unit).toString().padStart(exp, '0')}`;
}

const PERCENT = /^(\d{1,3})(?:\.(\d{1,2}))?$/;

/** "2.5" → 250 basis points; null unless 0…100 with at most two decimals. */
export function parsePercent(text: string): number | null {
  const m = PERCENT.exec(text);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}

/** 250 → "2.50". */
export const formatPercent = (bp: number): string => `${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;

/** `count` × `bp` of `fee`, rounded half up to the minor unit (a credit in the customer's favour never loses half a cent). */
export function shareOf(fee: bigint, bp: number, count = 1): bigint {
  const scaled = fee * BigInt(bp) * BigInt(count);
  return (scaled + 5_000n) / 10_000n;
}

/** met ÷ measured in basis points, rounded down (for display; comparisons use `below`). */
export const achievementBp = (met: number, measured: number): number => Math.floor((met * 10_000) / measured);

/** True when met ÷ measured is strictly below `bp` basis points, compared exactly in integers. */
export const isBelow = (met: number, measured: number, bp: number): boolean => met * 10_000 < bp * measured;
