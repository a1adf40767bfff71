/**
 * Wires knowledge-base search for a process: PostgreSQL only (PACER_SEARCH=postgres), an
 * existing Typesense (PACER_TYPESENSE_URL + PACER_TYPESENSE_API_KEY), or a Typesense server
 * started here under the data directory. A Typesense with no collection behind the alias is
 * filled from the database first; the outbox drainer runs where asked (the worker process).
 * A Typesense that cannot be started leaves search on PostgreSQL, loudly, rather than Pacer down.
 */
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { KbSearch } from './kb-search';
import { OutboxDrainer } from './outbox-drainer';
import { reindex } from './reindex';
import { startTypesenseServer, type TypesenseServer } from './typesense-server';
import { TypesenseIndex } from './typesense-index';

export const DEFAULT_ALIAS = 'pacer_kb_articles';

export interface KbSearchStackOptions {
  db: Kysely<Database>;
  log: Logger;
  mode: 'typesense' | 'postgres';
  typesenseUrl?: string;
  typesenseApiKey?: string;
  /** Where a Typesense started here keeps its data. */
  dataDir: string;
  alias?: string;
  runDrainer: boolean;
}

export interface KbSearchStack {
  search: KbSearch;
  drainer: OutboxDrainer | null;
  server: TypesenseServer | null;
  stop(): Promise<void>;
}

export async function startKbSearch(opts: KbSearchStackOptions): Promise<KbSearchStack> {
  const { db, log } = opts;
  if (opts.mode === 'postgres') {
    log.info({}, 'knowledge-base search: PostgreSQL full-text search (PACER_SEARCH=postgres)');
    return { search: new KbSearch(db, log, null), drainer: null, server: null, stop: async () => undefined };
  }
  let server: TypesenseServer | null = null;
  let url = opts.typesenseUrl;
  let apiKey = opts.typesenseApiKey;
  if (!url || !apiKey) {
    try {
      server = await startTypesenseServer({ dataDir: path.resolve(opts.dataDir, 'typesense'), log });
      url = server.url;
      apiKey = server.apiKey;
    } catch (err) {
      log.error({ err }, 'knowledge-base search: the Typesense server did not start; searching with PostgreSQL full-text search');
      return { search: new KbSearch(db, log, null), drainer: null, server: null, stop: async () => undefined };
    }
  }
  const index = new TypesenseIndex({ url, apiKey, alias: opts.alias ?? DEFAULT_ALIAS });
  try {
    if (!(await index.exists())) {
      const built = await reindex(db, index);
      log.info({ collection: built.collection, articles: built.articles }, 'knowledge-base search: Typesense collection built from the database');
    }
  } catch (err) {
    // Searches fall back until it answers; the drainer fills it in as it comes back.
    log.warn({ err: (err as Error).message }, 'knowledge-base search: Typesense is not reachable at start-up');
  }
  const search = new KbSearch(db, log, index);
  const drainer = opts.runDrainer ? new OutboxDrainer(db, index, log) : null;
  drainer?.start();
  return {
    search,
    drainer,
    server,
    async stop() {
      await drainer?.stop();
      await server?.stop();
    },
  };
}
