/** API keys: only a key's hash and prefix are stored; a revoked key stays, with revoked_at. */
import crypto from 'node:crypto';
import type { ApiKeyRow, Db } from '../schema';

export const listApiKeys = (db: Db): Promise<ApiKeyRow[]> => db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();

export interface NewApiKey {
  name: string;
  role: string;
  organizationId: string | null;
  keyHash: string;
  keyPrefix: string;
}

export const insertApiKey = (db: Db, k: NewApiKey): Promise<ApiKeyRow> =>
  db
    .insertInto('api_keys')
    .values({ id: crypto.randomUUID(), name: k.name, role: k.role, organization_id: k.organizationId, key_hash: k.keyHash, key_prefix: k.keyPrefix })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Revokes a live key; undefined when there is no such key or it was revoked already. */
export const revokeApiKey = (db: Db, id: string): Promise<ApiKeyRow | undefined> =>
  db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).returningAll().executeTakeFirst();

/** The live (not revoked) key with this hash: what authentication needs of it. */
export const findLiveKeyByHash = (db: Db, keyHash: string): Promise<Pick<ApiKeyRow, 'id' | 'name' | 'role' | 'organization_id'> | undefined> =>
  db.selectFrom('api_keys').select(['id', 'name', 'role', 'organization_id']).where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
