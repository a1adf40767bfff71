/**
 * A loopback webhook receiver for tests: a real node:http server that records every request
 * exactly as it arrived (raw body bytes as text, lower-cased headers) and answers 200, or 500
 * for the first `failFirst` requests so tests can watch Pacer retry.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received (signatures are computed over these bytes). */
  rawBody: string;
  /** The status this receiver answered with. */
  status: number;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order, including the ones answered with 500. */
  readonly requests: ReceivedRequest[];
  /** Only the requests answered 2xx. */
  accepted(): ReceivedRequest[];
  /** Answer 500 to the next `n` requests (counting from now). */
  failNext(n: number): void;
  /** Resolves once `predicate` holds over the recorded requests, or rejects after `timeoutMs`. */
  waitFor(predicate: (requests: ReceivedRequest[]) => boolean, timeoutMs: number, what?: string): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: { failFirst?: number; path?: string } = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let failuresLeft = opts.failFirst ?? 0;
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fail = failuresLeft > 0;
      if (fail) failuresLeft -= 1;
      const status = fail ? 500 : 200;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
        status,
        receivedAt: Date.now(),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fail ? { error: 'induced failure' } : { ok: true }));
      for (const wake of waiters) wake();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${opts.path ?? '/hooks/pacer'}`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    failNext(n) {
      failuresLeft = n;
    },
    waitFor(predicate, timeoutMs, what = 'webhook requests') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(requests)) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(requests);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const seen = requests.map((r) => `${r.status} ${r.headers['pacer-event-id']}`).join(', ') || 'none';
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${seen}`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
