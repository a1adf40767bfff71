/**
 * The public status page, mounted before API-key auth: `GET /status` (HTML) and
 * `GET /api/v1/status` (the same data as JSON), read-only and public information only;
 * email subscriptions (`POST /api/v1/status/subscriptions`, or the page's form) and the
 * confirm and unsubscribe links mailed to subscribers. A subscription answers 202 for every
 * well-formed address and mails after answering, so neither its answer nor its timing says
 * whether an address was already subscribed. Requests are rate-limited per address and per
 * client (status/subscription-limiter) before the subscription is looked at: 429
 * `rate_limited` with Retry-After, the same for subscribed and unknown addresses.
 */
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../../db/schema';
import type { IntegrationConfig } from '../../../integrations/config';
import { statusMailOf } from '../../../integrations/status-mail';
import type { Logger } from '../../../core/logger';
import { renderMessagePage, renderStatusPage } from '../../../domain/status/status-page-html';
import { sharedSnapshots } from '../../../domain/status/status-snapshot';
import { admitSubscriptionRequest } from '../../../domain/status/subscription-limiter';
import { cancelSubscription, confirmSubscription, requestSubscription, type LinkOutcome } from '../../../domain/status/subscriptions';
import { parse } from '../../kit/validation';
import { TooManyRequests, Unavailable } from '../../../core/errors';

export interface StatusRouteDeps {
  db: Db;
  config: IntegrationConfig;
  log: Logger;
}

export const subscriptionSchema = z.strictObject({ email: z.email().max(320).transform((e) => e.toLowerCase()) });
const tokenOf = (req: Request) => {
  const t = req.query.token;
  return typeof t === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(t) ? t : null;
};
// Caches and proxies may keep the page briefly; it is the same for everyone.
const PAGE_CACHE = 'public, max-age=15';

export function statusRoutes(deps: StatusRouteDeps): { page: Router; api: Router } {
  const snapshot = sharedSnapshots(deps.db);
  const mailer = statusMailOf({ db: deps.db, config: deps.config });

  /** Subscribes unless a rate limit refuses it; answers the seconds to wait, or 0. */
  const subscribe = async (email: string, req: Request): Promise<number> => {
    const admitted = await admitSubscriptionRequest(deps.db, email, req.ip ?? 'unknown');
    if (!admitted.allowed) {
      deps.log.info({ by: admitted.by, retryAfterSeconds: admitted.retryAfterSeconds }, 'status subscription request rate-limited');
      return admitted.retryAfterSeconds;
    }
    const pending = await requestSubscription(deps.db, email);
    if (!pending || !mailer) return 0;
    // After the answer: a failed send leaves nothing recorded, so asking again retries it.
    void mailer.sendConfirmation(pending).then(
      (r) => r.outcome === 'refused' && deps.log.warn({ subscriberId: pending.id, code: r.code }, 'status confirmation refused by the mail server'),
      (err: Error) => deps.log.warn({ subscriberId: pending.id, err: err.message }, 'status confirmation not sent'),
    );
    return 0;
  };
  const requireMail = () => {
    if (!mailer) throw new Unavailable('email_not_configured', 'status subscriptions need outbound email (PACER_SMTP_URL, PACER_MAIL_FROM)');
  };

  const page = Router();
  const html = (res: Response, status: number, body: string, cache = 'no-store') => res.status(status).set('cache-control', cache).type('html').send(body);
  page.get('/', async (_req, res) => html(res, 200, renderStatusPage(await snapshot(), { subscribe: mailer !== undefined }), PAGE_CACHE));

  // The page's form, for people rather than programs.
  page.post('/subscriptions', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    if (!mailer) return html(res, 503, renderMessagePage('Subscriptions unavailable', 'Email updates are not available right now.'));
    const parsed = subscriptionSchema.safeParse({ email: (req.body as { email?: unknown } | undefined)?.email });
    if (!parsed.success) return html(res, 400, renderMessagePage('Not an email address', 'Please go back and enter a valid email address.'));
    const wait = await subscribe(parsed.data.email, req);
    if (wait > 0) return html(res.set('Retry-After', String(wait)), 429, renderMessagePage('Too many requests', `Too many subscription requests. Please try again in ${Math.ceil(wait / 60)} minutes.`));
    html(res, 202, renderMessagePage('Check your inbox', 'If that address can receive updates, a confirmation email is on its way. Follow its link to start receiving updates.'));
  });

  const linkPage = (res: Response, outcome: LinkOutcome, pages: Record<LinkOutcome, [string, string]>) => {
    const [title, message] = pages[outcome];
    html(res, outcome === 'unknown' ? 404 : 200, renderMessagePage(title, message));
  };
  const unknownLink: [string, string] = ['Link not valid', 'This link is not valid or has been replaced by a newer one.'];
  page.get('/subscriptions/confirm', async (req, res) => {
    const token = tokenOf(req);
    linkPage(res, token ? await confirmSubscription(deps.db, token) : 'unknown', {
      done: ['Subscription confirmed', 'You will receive an email for every public update to an incident.'],
      already: ['Already confirmed', 'This subscription is already confirmed.'],
      unsubscribed: ['Subscription cancelled', 'This address has unsubscribed. Subscribe again from the status page to receive updates.'],
      unknown: unknownLink,
    });
  });
  const unsubscribe = async (req: Request, res: Response) => {
    const token = tokenOf(req);
    linkPage(res, token ? await cancelSubscription(deps.db, token) : 'unknown', {
      done: ['Unsubscribed', 'You will receive no more status updates at this address.'],
      already: ['Unsubscribed', 'You will receive no more status updates at this address.'],
      unsubscribed: ['Unsubscribed', 'You will receive no more status updates at this address.'],
      unknown: unknownLink,
    });
  };
  page.get('/subscriptions/unsubscribe', unsubscribe);
  // RFC 8058 one-click: mail clients POST to the List-Unsubscribe URL.
  page.post('/subscriptions/unsubscribe', express.urlencoded({ extended: false, limit: '4kb' }), unsubscribe);

  const api = Router();
  api.get('/', async (_req, res) => {
    res.set('cache-control', PAGE_CACHE).json(await snapshot());
  });
  api.post('/subscriptions', express.json({ limit: '16kb' }), async (req, res) => {
    requireMail();
    const body = parse(subscriptionSchema, req.body);
    const wait = await subscribe(body.email, req);
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      throw new TooManyRequests('too many subscription requests; retry after the seconds in Retry-After');
    }
    res.status(202).json({ status: 'accepted', message: 'if the address can receive updates, a confirmation email is on its way' });
  });
  return { page, api };
}
