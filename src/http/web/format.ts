/** Instants and durations as people read them: in the reader's time zone, in plain words. */

export function formatInstant(at: Date | string | null, timeZone: string): string {
  if (at === null) return '—';
  const d = typeof at === 'string' ? new Date(at) : at;
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(d);
}

/** "3 h 05 min", "2 d 4 h", "45 s" — for countdowns (the page's script keeps them ticking). */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min`;
  return `${s % 60} s`;
}

/** A ticking countdown's text: "2d 4h", "3h 05m 12s", "4m 09s", "12s" (console.js writes the same). */
export function countdownText(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${pad(m)}m ${pad(s % 60)}s` : m > 0 ? `${m}m ${pad(s % 60)}s` : `${s % 60}s`;
  return ms >= 0 ? `in ${text}` : `overdue ${text}`;
}

/** "in 3 h 05 min" or "4 min ago". */
export function relative(at: Date | string, now = Date.now()): string {
  const diff = new Date(at).getTime() - now;
  return diff >= 0 ? `in ${formatDuration(diff)}` : `${formatDuration(diff)} ago`;
}

/**
 * A target in minutes as words: "4 hours", "24 business hours", "3 business days" (8 business
 * hours each). First-response targets read best in hours (`days: false`), as the seeds put them.
 */
export function targetInWords(minutes: number, businessHours: boolean, days = true): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (days && businessHours && minutes >= 480 && minutes % 480 === 0) return plural(minutes / 480, 'business day');
  if (minutes % 60 === 0) return plural(minutes / 60, businessHours ? 'business hour' : 'hour');
  return plural(minutes, businessHours ? 'business minute' : 'minute');
}

export const STATUS_LABELS: Record<string, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending (waiting on customer)',
  on_hold: 'On hold',
  solved: 'Solved',
  closed: 'Closed',
  cancelled: 'Cancelled',
};
