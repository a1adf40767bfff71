/**
 * Opens the database: a PostgreSQL server when DATABASE_URL is set, otherwise an
 * embedded PGlite persisted under the data directory. PGlite is served over the
 * PostgreSQL wire protocol on loopback so the whole app keeps one driver (pg) and one SQL.
 */
import path from 'node:path';
import fs from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';
import type { Logger } from '../core/logger';

export interface DatabaseHandle {
  db: Kysely<Database>;
  /** What the process is connected to, for logs and /healthz (never the password). */
  description: string;
  close(): Promise<void>;
}

export async function openDatabase(opts: { url?: string; dataDir: string; log: Logger; poolSize?: number; connectionTimeoutMs?: number }): Promise<DatabaseHandle> {
  if (opts.url) {
    // A bounded wait for a connection: while PostgreSQL is down a request fails fast (503) instead of hanging.
    const pool = new Pool({ connectionString: opts.url, max: opts.poolSize ?? 32, connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000 });
    handleIdleErrors(pool, opts.log);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, description: redact(opts.url), close: () => db.destroy() };
  }
  return openEmbedded(opts.dataDir, opts.log);
}

async function openEmbedded(dataDir: string, log: Logger): Promise<DatabaseHandle> {
  // Imported lazily: the embedded engine is only loaded when no server is configured.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const dir = path.resolve(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
  await server.start();
  const address = server.getServerConn();
  // PGlite is a single session: one pooled connection keeps transactions from interleaving.
  const pool = new Pool({ connectionString: `postgres://postgres@${address}/postgres`, max: 1 });
  handleIdleErrors(pool, log);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  log.info({ dir }, 'using embedded PGlite database');
  return {
    db,
    description: `embedded PGlite at ${dir}`,
    close: async () => {
      await db.destroy();
      await server.stop();
      await pglite.close();
    },
  };
}

/**
 * A pooled connection that the server drops (a restart, an administrator's kill) emits
 * 'error': on the pool while idle, on the client itself while checked out (pg emits it even
 * when a running query also fails with it). Unhandled, either event kills the process. The
 * query in flight already fails, and the pool discards the broken client and opens a new one
 * on the next query, so it is only worth a warning, once per outage (a restart drops every
 * connection at the same moment), and never with the URL.
 */
export function handleIdleErrors(pool: Pool, log: Logger, quietMs = 30_000): void {
  let lastWarned = 0;
  const onError = (err: Error & { code?: string }) => {
    const now = Date.now();
    if (now - lastWarned < quietMs) return;
    lastWarned = now;
    log.warn({ code: err.code, reason: err.message }, 'a database connection was lost; it will be replaced on the next query');
  };
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable url)';
  }
}
