/**
 * A fresh, migrated and seeded database per test suite on the real PostgreSQL test server,
 * so suites never see each other's rows and can run in any order.
 */
import crypto from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from '../../src/db/schema';
import { migrateToLatest } from '../../src/db/migrate';
import { seedDefaults } from '../../src/db/seed-defaults';
import { testDatabaseUrl } from './env';

export interface TestDatabase {
  db: Kysely<Database>;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = testDatabaseUrl();
  const name = `pacer_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: adminUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 32 });
  // DROP … WITH (FORCE) kills connections pg-pool is still closing; that is expected, not a failure.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db);
  await seedDefaults(db);
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await db.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

