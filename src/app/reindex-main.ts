/**
 * `npm run kb:reindex`: rebuilds the Typesense collection from the database into a new
 * collection and moves the alias to it (src/domain/search/reindex). Needs the Typesense that Pacer
 * uses: PACER_TYPESENSE_URL and PACER_TYPESENSE_API_KEY (an embedded server's key is per run).
 */
import { loadConfig } from '../core/config';
import { openDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { createLogger } from '../core/logger';
import { DEFAULT_ALIAS } from '../domain/search/kb-search-stack';
import { reindex } from '../domain/search/reindex';
import { TypesenseIndex } from '../domain/search/typesense-index';

async function main(): Promise<void> {
  const log = createLogger();
  const config = loadConfig();
  if (!config.typesenseUrl || !config.typesenseApiKey) throw new Error('set PACER_TYPESENSE_URL and PACER_TYPESENSE_API_KEY to the Typesense to rebuild');
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, log, poolSize: 4 });
  try {
    await migrateToLatest(database.db, log);
    const started = Date.now();
    const result = await reindex(database.db, new TypesenseIndex({ url: config.typesenseUrl, apiKey: config.typesenseApiKey, alias: process.env.PACER_TYPESENSE_ALIAS ?? DEFAULT_ALIAS, timeoutSeconds: 30 }));
    log.info({ ...result, ms: Date.now() - started }, 'knowledge base reindexed; the alias points at the new collection');
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
