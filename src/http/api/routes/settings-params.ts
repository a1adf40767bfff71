/** What the settings routers (organizations, calendars, SLA policies, webhooks, API keys) share. */
import type { Request } from 'express';
import { uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';

export const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
export const idOf = (req: Request) => parse(uuid, req.params.id, 'params');
