/**
 * /api/v1/users (admins only): the people who sign in to the console and the portal.
 * Passwords go in, never come out; a customer needs its organization.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../../db/schema';
import { createUser, updateUser, userView, USER_ROLES } from '../../../domain/users/users';
import { requireRole } from '../../kit/auth';
import { safeString, text, uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import { findUser, listUsers } from '../../../db/repositories/users';
import { NotFound } from '../../../core/errors';

const timeZone = safeString().min(1).max(100).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone');
const password = safeString().min(10, 'at least 10 characters').max(200);
const fields = {
  name: text(200),
  role: z.enum(USER_ROLES),
  organizationId: uuid.nullable(),
  password,
  timeZone,
};
export const createSchema = z.strictObject({ ...fields, email: z.email().max(320), organizationId: uuid.nullable().optional(), timeZone: timeZone.optional() });
export const patchSchema = z
  .strictObject({ ...fields, disabled: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export function userRoutes(db: Db): Router {
  const r = Router();
  r.use('/users', requireRole('admin'));
  r.get('/users', async (_req, res) => {
    res.json({ data: (await listUsers(db)).map(userView) });
  });
  r.get('/users/:id', async (req, res) => {
    const u = await findUser(db, parse(uuid, req.params.id, 'params'));
    if (!u) throw new NotFound('user');
    res.json(userView(u));
  });
  r.post('/users', async (req, res) => {
    const u = await createUser(db, parse(createSchema, req.body));
    res.status(201).location(`/api/v1/users/${u.id}`).json(userView(u));
  });
  r.patch('/users/:id', async (req, res) => {
    const id = parse(uuid, req.params.id, 'params');
    res.json(userView(await updateUser(db, id, parse(patchSchema, req.body))));
  });
  return r;
}
