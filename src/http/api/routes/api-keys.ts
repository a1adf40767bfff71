/** API keys (admins only): a key is shown once, at creation; only its hash is stored. */
import { Router } from 'express';
import { z } from 'zod';
import type { ApiKeyRow, Db } from '../../../db/schema';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../../db/repositories/api-keys';
import { organizationExists } from '../../../db/repositories/organizations';
import { ROLES } from '../../../core/principal';
import { generateApiKey, hashApiKey, requireRole, type ApiKeyCache } from '../../kit/auth';
import { text, uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import { idOf, iso } from './settings-params';
import { InvalidInput, NotFound } from '../../../core/errors';

export const keySchema = z
  .strictObject({ name: text(200), role: z.enum(ROLES), organizationId: uuid.optional() })
  .refine((k) => (k.role === 'customer') === (k.organizationId !== undefined), { message: 'customer keys need an organizationId; other roles must not have one', path: ['organizationId'] });

const keyView = (k: ApiKeyRow) => ({
  id: k.id, name: k.name, role: k.role, organizationId: k.organization_id, prefix: k.key_prefix, createdAt: iso(k.created_at), revokedAt: iso(k.revoked_at),
});

export function apiKeyRoutes(db: Db, keyCache: ApiKeyCache): Router {
  const r = Router();
  const admin = requireRole('admin');
  r.get('/api-keys', admin, async (_req, res) => res.json({ data: (await listApiKeys(db)).map(keyView) }));
  r.post('/api-keys', admin, async (req, res) => {
    const body = parse(keySchema, req.body);
    if (body.organizationId && !(await organizationExists(db, body.organizationId))) {
      throw new InvalidInput('unknown organization', [{ path: 'organizationId', message: 'no such organization' }]);
    }
    const key = generateApiKey(body.role);
    const k = await insertApiKey(db, { name: body.name, role: body.role, organizationId: body.organizationId ?? null, keyHash: hashApiKey(key), keyPrefix: key.slice(0, 16) });
    // The key itself is shown once, here; only its hash is stored.
    res.status(201).json({ ...keyView(k), key });
  });
  r.delete('/api-keys/:id', admin, async (req, res) => {
    const k = await revokeApiKey(db, idOf(req));
    if (!k) throw new NotFound('API key');
    keyCache.clear();
    res.json(keyView(k));
  });
  return r;
}
