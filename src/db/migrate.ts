/** Runs kysely's Migrator to the latest migration; start-up fails loudly on any error. */
import { Kysely, Migrator } from 'kysely';
import { migrations } from '../../migrations';
import type { Database } from './schema';
import type { Logger } from '../core/logger';

export async function migrateToLatest(db: Kysely<Database>, log?: Logger): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') log?.info({ migration: r.migrationName }, 'migration applied');
    if (r.status === 'Error') log?.error({ migration: r.migrationName }, 'migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
}
