/**
 * The settings administrators own, one router per resource: organizations (with tiers and
 * priorities), business calendars, SLA policies, webhook subscriptions and API keys. Agents may
 * read settings; customers may not touch them (a customer may read its own organization).
 */
import { Router } from 'express';
import type { Db } from '../../../db/schema';
import type { TicketService } from '../../../domain/tickets/ticket-service';
import type { ApiKeyCache } from '../../kit/auth';
import { apiKeyRoutes } from './api-keys';
import { calendarRoutes } from './calendars';
import { organizationRoutes } from './organizations';
import { slaPolicyRoutes } from './sla-policies';
import { webhookRoutes } from './webhooks';

export function adminRoutes(db: Db, tickets: TicketService, keyCache: ApiKeyCache, opts: { allowPrivateWebhooks?: boolean } = {}): Router {
  const r = Router();
  // Intake caches organization and policy lookups; any settings write here invalidates them.
  r.use((req, res, next) => {
    if (req.method !== 'GET') res.on('finish', () => tickets.settingsCache.clear());
    next();
  });
  r.use(organizationRoutes(db, tickets));
  r.use(calendarRoutes(db, tickets));
  r.use(slaPolicyRoutes(db, tickets));
  r.use(webhookRoutes(db, opts));
  r.use(apiKeyRoutes(db, keyCache));
  return r;
}
