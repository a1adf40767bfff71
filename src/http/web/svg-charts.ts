/**
 * Server-rendered SVG charts (no script, no outside file): bars (grouped or stacked) and lines
 * over categories. Each is a figure whose svg is role="img" with an aria-label that says what
 * it shows, and a figcaption; the numbers themselves are in the table the page prints beside
 * it, which is what assistive technology reads. Colours come with a legend in words.
 */
import { html, type SafeHtml } from './html';

export interface Series {
  name: string;
  values: Array<number | null>;
  color: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the chart shows, for a screen reader ("Achievement % per day, three clocks"). */
  description: string;
  categories: string[];
  series: Series[];
  unit?: string;
  /** A fixed top of the scale (100 for percentages); else the largest value, rounded up. */
  max?: number;
}

const W = 640;
const H = 240;
const PAD = { left: 48, right: 12, top: 12, bottom: 40 };
export const PALETTE = { green: '#1b7f3b', red: '#c0392b', blue: '#1f5fae', orange: '#b35c00', purple: '#6b3fa0', grey: '#6b7280' } as const;

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

function frame(spec: ChartSpec, top: number, plot: SafeHtml): SafeHtml {
  const innerH = H - PAD.top - PAD.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = PAD.top + innerH * (1 - f);
    return html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#d9dde3" stroke-width="1"/><text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#374151">${fmt(top * f)}</text>`;
  });
  const n = spec.categories.length;
  const step = n > 12 ? Math.ceil(n / 12) : 1;
  const band = (W - PAD.left - PAD.right) / Math.max(n, 1);
  const labels = spec.categories.map((c, i) =>
    i % step === 0 ? html`<text x="${PAD.left + band * (i + 0.5)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11" fill="#374151">${/^\d{4}-\d{2}-\d{2}$/.test(c) ? c.slice(5) : c}</text>` : '',
  );
  const legend = spec.series.map((s, i) => html`<rect x="${PAD.left + i * 150}" y="${H - 14}" width="10" height="10" fill="${s.color}"/><text x="${PAD.left + i * 150 + 14}" y="${H - 5}" font-size="11" fill="#111827">${s.name}</text>`);
  return html`<figure class="chart" id="${spec.id}-chart">
<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${spec.title}: ${spec.description}" xmlns="http://www.w3.org/2000/svg">
${ticks}${plot}${labels}${legend}
</svg>
<figcaption>${spec.title}${spec.unit ? html` (${spec.unit})` : ''}</figcaption>
</figure>`;
}

function scaleTop(spec: ChartSpec, stacked: boolean): number {
  if (spec.max !== undefined) return spec.max;
  const values = stacked ? spec.categories.map((_, i) => spec.series.reduce((s, x) => s + (x.values[i] ?? 0), 0)) : spec.series.flatMap((s) => s.values.map((v) => v ?? 0));
  return niceMax(Math.max(0, ...values));
}

export function barChart(spec: ChartSpec, stacked = false): SafeHtml {
  const top = scaleTop(spec, stacked);
  const innerH = H - PAD.top - PAD.bottom;
  const band = (W - PAD.left - PAD.right) / Math.max(spec.categories.length, 1);
  const y = (v: number) => PAD.top + innerH * (1 - v / top);
  const bars = spec.categories.map((_, i) => {
    const x0 = PAD.left + band * i + band * 0.1;
    const width = band * 0.8;
    if (stacked) {
      let base = 0;
      return spec.series.map((s) => {
        const v = s.values[i] ?? 0;
        const r = html`<rect x="${x0}" y="${y(base + v)}" width="${width}" height="${Math.max(0, y(base) - y(base + v))}" fill="${s.color}"/>`;
        base += v;
        return r;
      });
    }
    const w = width / Math.max(spec.series.length, 1);
    return spec.series.map((s, k) => {
      const v = s.values[i] ?? 0;
      return html`<rect x="${x0 + w * k}" y="${y(v)}" width="${Math.max(1, w - 1)}" height="${Math.max(0, y(0) - y(v))}" fill="${s.color}"/>`;
    });
  });
  return frame(spec, top, html`${bars}`);
}

export function lineChart(spec: ChartSpec): SafeHtml {
  const top = scaleTop(spec, false);
  const innerH = H - PAD.top - PAD.bottom;
  const band = (W - PAD.left - PAD.right) / Math.max(spec.categories.length, 1);
  const lines = spec.series.map((s) => {
    // A missing value (nothing decided that day) breaks the line rather than drawing a zero.
    const runs: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) runs.push([]);
      else runs[runs.length - 1]!.push(`${(PAD.left + band * (i + 0.5)).toFixed(1)},${(PAD.top + innerH * (1 - v / top)).toFixed(1)}`);
    });
    return runs.filter((r) => r.length > 0).map((r) => (r.length === 1 ? html`<circle cx="${r[0]!.split(',')[0]}" cy="${r[0]!.split(',')[1]}" r="3" fill="${s.color}"/>` : html`<polyline points="${r.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`));
  });
  return frame(spec, top, html`${lines}`);
}
