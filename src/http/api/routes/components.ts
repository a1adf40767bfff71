/**
 * Service components shown on the status page: administrators write them, agents and
 * administrators read them. `status` is the status set by hand (planned maintenance, a known
 * degradation); the status page shows the worst of it and every open incident impact.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ComponentRow, Db } from '../../../db/schema';
import { COMPONENT_STATUSES } from '../../../domain/status/component-status';
import { requireRole } from '../../kit/auth';
import { freeText, text, uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import { isUniqueViolation } from '../../../db/pg-errors';
import { deleteComponent, findComponent, insertComponent, listComponents, updateComponent } from '../../../db/repositories/components';
import { Conflict, NotFound } from '../../../core/errors';

const fields = {
  name: text(200),
  group: text(200).nullable(),
  description: freeText(2_000).trim().nullable(),
  position: z.number().int().min(0).max(1_000_000),
  status: z.enum(COMPONENT_STATUSES),
};
// PATCH is built from the fields without defaults: a default would overwrite what the PATCH does not name.
export const createSchema = z.strictObject({
  ...fields,
  group: fields.group.default(null),
  description: fields.description.default(null),
  position: fields.position.default(0),
  status: fields.status.default('operational'),
});
export const patchSchema = z
  .strictObject(fields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export function componentView(c: ComponentRow) {
  return {
    id: c.id,
    name: c.name,
    group: c.group_name,
    description: c.description,
    position: c.position,
    status: c.status,
    createdAt: new Date(c.created_at).toISOString(),
    updatedAt: new Date(c.updated_at).toISOString(),
  };
}

export function componentRoutes(db: Db): Router {
  const r = Router();
  const readers = requireRole('admin', 'agent');
  const admin = requireRole('admin');
  const idOf = (req: Request) => parse(uuid, req.params.id, 'params');
  const conflict = (name: string | undefined) => (err: unknown): never => {
    if (isUniqueViolation(err)) throw new Conflict('conflict', name ? `a component named "${name}" exists` : 'a component with that name exists');
    throw err;
  };

  r.get('/', readers, async (_req, res) => {
    res.json({ data: (await listComponents(db)).map(componentView) });
  });
  r.get('/:id', readers, async (req, res) => {
    const c = await findComponent(db, idOf(req));
    if (!c) throw new NotFound('component');
    res.json(componentView(c));
  });
  r.post('/', admin, async (req, res) => {
    const body = parse(createSchema, req.body);
    const c = await insertComponent(db, body).catch(conflict(body.name));
    res.status(201).json(componentView(c));
  });
  r.patch('/:id', admin, async (req, res) => {
    const id = idOf(req);
    const body = parse(patchSchema, req.body);
    const c = await updateComponent(db, id, body).catch(conflict(body.name));
    if (!c) throw new NotFound('component');
    res.json(componentView(c));
  });
  // Its impact history goes with it (ON DELETE CASCADE): the status page no longer shows it.
  r.delete('/:id', admin, async (req, res) => {
    if (!(await deleteComponent(db, idOf(req)))) throw new NotFound('component');
    res.status(204).end();
  });
  return r;
}
