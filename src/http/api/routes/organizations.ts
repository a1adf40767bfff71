/** Organizations (and the tiers and priorities they pick from): admins write, a customer reads its own. */
import { Router } from 'express';
import { z } from 'zod';
import type { Db, OrganizationRow } from '../../../db/schema';
import type { TicketService } from '../../../domain/tickets/ticket-service';
import { principalOf, requireRole } from '../../kit/auth';
import { safeString, text } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import { isFkViolation, isUniqueViolation } from '../../../db/pg-errors';
import {
  countOpenTickets, deleteOrganization, findOrganization, insertOrganization, listOrganizations, listPriorities, listTiers, tierExists, updateOrganization,
} from '../../../db/repositories/organizations';
import { idOf, iso } from './settings-params';
import { Conflict, InvalidInput, NotFound } from '../../../core/errors';

// PATCH schemas are built from the fields without defaults: a default would overwrite what the PATCH does not name.
const orgFields = { name: text(200), tier: safeString().min(1).max(100), emailDomains: z.array(safeString().min(1).max(253)).max(100) };
export const orgSchema = z.strictObject({ ...orgFields, emailDomains: orgFields.emailDomains.default([]) });
export const orgPatchSchema = z.strictObject(orgFields).partial().refine((v) => Object.keys(v).length > 0, 'nothing to change');

const orgView = (o: OrganizationRow) => ({
  id: o.id, name: o.name, tier: o.tier, emailDomains: o.email_domains, createdAt: iso(o.created_at), updatedAt: iso(o.updated_at),
});

export function organizationRoutes(db: Db, tickets: TicketService): Router {
  const r = Router();
  const admin = requireRole('admin');
  const requireTier = async (tier: string) => {
    if (!(await tierExists(db, tier))) {
      throw new InvalidInput(`unknown tier "${tier}"`, [{ path: 'tier', message: 'unknown tier' }]);
    }
  };
  r.get('/tiers', async (_req, res) => res.json({ data: await listTiers(db) }));
  r.get('/priorities', async (_req, res) => res.json({ data: await listPriorities(db) }));
  r.get('/organizations', async (req, res) => {
    const p = principalOf(req);
    res.json({ data: (await listOrganizations(db, p.role === 'customer' ? p.organizationId! : undefined)).map(orgView) });
  });
  r.get('/organizations/:id', async (req, res) => {
    const p = principalOf(req);
    const id = idOf(req);
    if (p.role === 'customer' && id !== p.organizationId) throw new NotFound('organization');
    const o = await findOrganization(db, id);
    if (!o) throw new NotFound('organization');
    res.json(orgView(o));
  });
  r.post('/organizations', admin, async (req, res) => {
    const body = parse(orgSchema, req.body);
    await requireTier(body.tier);
    try {
      res.status(201).json(orgView(await insertOrganization(db, body)));
    } catch (err) {
      if (isUniqueViolation(err)) throw new Conflict('conflict', `an organization named "${body.name}" exists`);
      throw err;
    }
  });
  r.patch('/organizations/:id', admin, async (req, res) => {
    const id = idOf(req);
    const body = parse(orgPatchSchema, req.body);
    if (body.tier) await requireTier(body.tier);
    const before = await findOrganization(db, id);
    if (!before) throw new NotFound('organization');
    const o = await updateOrganization(db, id, body).catch((err) => {
      if (isUniqueViolation(err)) throw new Conflict('conflict', 'an organization with that name exists');
      throw err;
    });
    // A tier change re-targets the clocks of every open ticket of the organization, through a rollout.
    const tierChanged = body.tier !== undefined && body.tier !== before.tier;
    const open = tierChanged ? await countOpenTickets(db, id) : 0;
    const rolloutId = tierChanged ? await tickets.rollouts.start('organization_tier', id, 0, principalOf(req).name) : null;
    res.json({ ...orgView(o), retargetedTickets: open, ...(rolloutId && { rolloutId }) });
  });
  r.delete('/organizations/:id', admin, async (req, res) => {
    const id = idOf(req);
    try {
      if (!(await deleteOrganization(db, id))) throw new NotFound('organization');
    } catch (err) {
      if (isFkViolation(err)) throw new Conflict('in_use', 'the organization still has tickets or keys');
      throw err;
    }
    res.status(204).end();
  });
  return r;
}
