/**
 * The load side of bench:api-read, its own process: GET requests at a fixed rate, open-loop
 * (request i is due at start + i/rate whether or not earlier ones have answered), so a slow
 * server meets the same arrivals a real one would instead of slowing its own load down.
 * Each latency runs from the instant the request was due, not from when it went out.
 * Prints one JSON line: {"latencies": [ms per request, in order], "errors": n, "maxSendLagMs": …}.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSpecOf } from './load-spec';

export interface ReadLoadSpec {
  baseUrl: string;
  apiKey: string;
  rate: number;
  seconds: number;
  /** Requested in turn: request i asks for paths[i % paths.length]. */
  paths: string[];
}

export interface ReadLoadResult {
  latencies: number[];
  errors: number;
  maxSendLagMs: number;
}

async function main(spec: ReadLoadSpec): Promise<void> {
  const n = Math.round(spec.rate * spec.seconds);
  const latencies = new Array<number>(n).fill(NaN);
  let errors = 0;
  let maxSendLagMs = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now() + 50;
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / spec.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - due);
    const path = spec.paths[i % spec.paths.length]!;
    inFlight.push(
      fetch(spec.baseUrl + path, { headers: { authorization: `Bearer ${spec.apiKey}` } })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) errors++;
        })
        .catch(() => void errors++)
        .finally(() => {
          latencies[i] = performance.now() - due;
        }),
    );
  }
  await Promise.all(inFlight);
  console.log(JSON.stringify({ latencies, errors, maxSendLagMs } satisfies ReadLoadResult));
}

if (require.main === module) {
  main(loadSpecOf<ReadLoadSpec>()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
