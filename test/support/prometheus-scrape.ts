/**
 * Reads a /metrics answer with a Prometheus text-format parser (parse-prometheus-text-format,
 * ported from the Prometheus Python client's), so a test sees what Prometheus would: a line it
 * cannot parse fails the scrape. The parser folds a labelled histogram's series into one and
 * drops their _sum and _count, so samples are also read flat (the TYPE lines left out): there
 * every sample, a histogram's _bucket, _sum and _count too, keeps its labels.
 */
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export type MetricFamily = ReturnType<typeof parsePrometheusTextFormat>[number];

export interface Scrape {
  status: number;
  contentType: string | null;
  /** Families with their declared types. */
  families: MetricFamily[];
  /** Every sample by its own name (histogram series as name_bucket / _sum / _count), labels kept. */
  samples: MetricFamily[];
}

export async function scrape(url: string, token: string | null): Promise<Scrape> {
  const res = await fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) return { status: res.status, contentType: res.headers.get('content-type'), families: [], samples: [] };
  const flat = text
    .split('\n')
    .filter((l) => !l.startsWith('# TYPE '))
    .join('\n');
  return { status: res.status, contentType: res.headers.get('content-type'), families: parsePrometheusTextFormat(text), samples: parsePrometheusTextFormat(flat) };
}

export function family(families: MetricFamily[], name: string): MetricFamily {
  const f = families.find((x) => x.name === name);
  assert.ok(f, `no metric family ${name} in the scrape (${families.map((x) => x.name).join(', ')})`);
  return f;
}

/** Read flat, a histogram's series interleave, so one name comes back as several families: their samples together. */
function samplesNamed(s: Scrape, name: string): MetricFamily['metrics'] {
  const found = s.samples.filter((x) => x.name === name);
  assert.ok(found.length > 0, `no sample named ${name} in the scrape`);
  return found.flatMap((f) => f.metrics);
}

const matches = (labels: Record<string, string> | undefined, wanted: Record<string, string>) => Object.entries(wanted).every(([k, v]) => labels?.[k] === v);

/** The sum of the samples named `name` with these labels (and any others); a histogram's count is `valueOf(s, 'x_count', …)`. */
export function valueOf(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const samples = samplesNamed(s, name).filter((m) => matches(m.labels, labels));
  assert.ok(samples.length > 0, `no ${name} sample with ${JSON.stringify(labels)}`);
  return samples.reduce((sum, m) => sum + Number(m.value), 0);
}

/** The label sets of the samples named `name`. */
export function labelsOf(s: Scrape, name: string): Array<Record<string, string>> {
  return samplesNamed(s, name).map((m) => m.labels ?? {});
}
