/** The express app: JSON under /api/v1, bearer auth, one error shape, /healthz outside auth. */
import express, { type Express } from 'express';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/schema';
import type { Logger } from '../core/logger';
import { TicketLifecycle } from '../domain/tickets/ticket-lifecycle';
import { TicketService } from '../domain/tickets/ticket-service';
import { ApiKeyCache, authenticate } from '../http/kit/auth';
import { RETRY_AFTER_SECONDS, errorMiddleware } from '../http/kit/errors';
import { adminRoutes } from '../http/api/routes/admin';
import { slaRoutes } from '../http/api/routes/sla';
import { ticketRoutes } from '../http/api/routes/tickets';
import { componentRoutes } from '../http/api/routes/components';
import { statusRoutes } from '../http/api/routes/status';
import { incidentPolicyRoutes, incidentRoutes } from '../http/api/routes/incidents';
import { IncidentLifecycle } from '../domain/incidents/incident-lifecycle';
import { IncidentService } from '../domain/incidents/incident-service';
import type { IntegrationConfig } from '../integrations/config';
import { buildIntegrationRoutes } from '../integrations/routes';
import { userRoutes } from '../http/api/routes/users';
import { webRoutes } from '../http/web/web-routes';
import { openApiRoutes } from '../http/api/openapi/docs-routes';
import { rolloutRoutes } from '../http/api/routes/rollouts';
import { kbRoutes } from '../http/api/routes/kb';
import { ArticleService } from '../domain/kb/article-service';
import { KbSearch } from '../domain/search/kb-search';
import { KbFeedback } from '../domain/kb/feedback';
import { reportRoutes } from '../http/api/routes/reports';
import { observeRequests } from '../http/kit/request-observer';
import { metricsRoutes } from './metrics-endpoint';
import { ContractService } from '../domain/contracts/contract-service';
import { ContractPeriodWorkflows } from '../domain/contracts/contract-periods';
import { contractRoutes } from '../http/api/routes/contracts';
import { CsatService } from '../domain/csat/csat-service';
import { csatScoreRoutes, csatSurveyRoutes } from '../http/api/routes/csat';
import { NotFound } from '../core/errors';
import { routingRoutes } from '../http/api/routes/routing';
import type { AgentStatusListener } from '../domain/routing/agent-status';
import { routingStatusListener } from './routing-status-listener';
import { CategoryClassifier } from '../domain/classify/category-classifier';
import { classifierRoutes } from '../http/api/routes/classifier';
import type { ClassifySettings } from '../core/classify-settings';

export interface AppDeps {
  db: Kysely<Database>;
  temporal: Client;
  taskQueue: string;
  adminApiKey: string | undefined;
  log: Logger;
  integrations?: IntegrationConfig;
  /** express's `trust proxy`: set behind a TLS-terminating proxy so session cookies are marked Secure. */
  trustProxy?: boolean | number | string;
  /** Knowledge-base search (src/domain/search/kb-search-stack); PostgreSQL full-text search when absent. */
  kb?: { search: KbSearch; defaultLocale?: string; onChange?: () => void };
  /** GET /metrics on this app, behind PACER_METRICS_TOKEN (README "Metrics"); not served without a token. */
  metrics?: { token: string; sdkMetricsUrl?: string };
  /** Intake's category classifier (PACER_CATEGORY_*); the defaults when absent. */
  classify?: ClassifySettings;
  /** Hears agents' status, profile and membership changes (the routing workflows); nobody when absent. */
  agentStatusListener?: AgentStatusListener;
}

/** The app and the services behind it (the inbound SMTP listener shares them). */
export interface PacerApp {
  app: Express;
  lifecycle: TicketLifecycle;
  tickets: TicketService;
  incidents: IncidentService;
  articles: ArticleService;
  kbSearch: KbSearch;
}

export function createPacerApp(deps: AppDeps): PacerApp {
  const app = express();
  app.disable('x-powered-by');
  // Weak ETags hash every JSON body; API clients here poll by cursor, not by conditional GET.
  app.disable('etag');
  app.set('query parser', 'simple');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.use(observeRequests());
  if (deps.metrics) app.use(metricsRoutes({ token: deps.metrics.token, sdkMetricsUrl: deps.metrics.sdkMetricsUrl, db: deps.db, log: deps.log }));
  const lifecycle = new TicketLifecycle(deps.temporal, deps.taskQueue);
  const tickets = new TicketService(deps.db, lifecycle, undefined, new CategoryClassifier(deps.db, deps.classify));
  const incidents = new IncidentService(deps.db, new IncidentLifecycle(deps.temporal, deps.taskQueue));
  const kbSearch = deps.kb?.search ?? new KbSearch(deps.db, deps.log, null);
  const kbFeedback = new KbFeedback(deps.db);
  const contracts = new ContractService(deps.db, new ContractPeriodWorkflows(deps.temporal, deps.taskQueue));
  const csat = new CsatService({ db: deps.db, settings: deps.integrations?.csat, publicUrl: deps.integrations?.publicUrl ?? 'http://localhost:3000', act: (ticketId, action) => lifecycle.act(ticketId, action) });
  // Routing hears every agent change through the group workflows (src/app/routing-status-listener.ts), unless told otherwise.
  const agentStatus = deps.agentStatusListener ?? routingStatusListener(deps.temporal, deps.taskQueue);
  const articles = new ArticleService(deps.db, { defaultLocale: deps.kb?.defaultLocale ?? 'en', onChange: deps.kb?.onChange });

  // Says which part is down, bounded in time so a hanging dependency reads as down rather than hanging the probe.
  app.get('/healthz', async (_req, res) => {
    const probe = (check: Promise<unknown>) =>
      Promise.race([check.then(() => 'up' as const), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3_000).unref())]).catch(
        (e: Error) => ({ down: e.message }),
      );
    const [database, temporal, search] = await Promise.all([probe(sql`select 1`.execute(deps.db)), probe(deps.temporal.workflowService.getSystemInfo({})), kbSearch.health()]);
    const ok = database === 'up' && temporal === 'up';
    if (!ok) {
      // The reasons name hosts and ports: they go to the log, not to an unauthenticated caller.
      deps.log.warn({ database: database === 'up' ? 'up' : database.down, temporal: temporal === 'up' ? 'up' : temporal.down }, 'health check: a backing service is down');
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    }
    // Search answering from PostgreSQL while Typesense is down is degraded, not unavailable: it says so and stays 200.
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: database === 'up' ? 'up' : 'down', temporal: temporal === 'up' ? 'up' : 'down', search: search.engine, typesense: search.typesense });
  });

  const integrationRoutes = buildIntegrationRoutes({ db: deps.db, lifecycle, tickets, incidents: incidents.lifecycle, config: deps.integrations ?? { publicUrl: 'http://localhost:3000' }, log: deps.log });
  app.use('/api/v1/integrations', integrationRoutes.inbound);
  // The public status page and its subscriptions: no API key, public information only.
  const status = statusRoutes({ db: deps.db, config: deps.integrations ?? { publicUrl: 'http://localhost:3000' }, log: deps.log });
  app.use('/status', status.page);
  app.use('/api/v1/status', status.api);
  // The API's contract (OpenAPI 3.1) and its reference page: public, like the status page.
  app.use('/api/v1', openApiRoutes(deps.integrations));
  // What a satisfaction survey's link opens: the signed token is the credential, so no key.
  app.use('/api/v1/csat/surveys', express.json({ limit: '16kb' }), csatSurveyRoutes(csat));

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  const keyCache = new ApiKeyCache();
  api.use(authenticate(deps.db, deps.adminApiKey, keyCache));
  api.use('/tickets', ticketRoutes({ db: deps.db, tickets, lifecycle, suggestions: kbSearch }));
  api.use('/sla', slaRoutes(deps.db));
  api.use('/csat', csatScoreRoutes(csat));
  api.use('/components', componentRoutes(deps.db));
  api.use('/incidents', incidentRoutes(deps.db, incidents));
  api.use('/incident-policies', incidentPolicyRoutes(deps.db, tickets.rollouts));
  api.use('/reports', reportRoutes(deps.db));
  api.use('/', integrationRoutes.authenticated);
  api.use('/', adminRoutes(deps.db, tickets, keyCache, { allowPrivateWebhooks: deps.integrations?.allowPrivateWebhooks === true }));
  api.use('/', userRoutes(deps.db));
  api.use('/', rolloutRoutes(deps.db, tickets.rollouts, lifecycle));
  api.use('/', contractRoutes(deps.db, contracts));
  api.use('/', classifierRoutes(tickets.classifier));
  api.use('/', routingRoutes(deps.db, agentStatus));
  api.use((_req, _res, next) => next(new NotFound('page', 'no such endpoint')));
  // The knowledge base reads without a key too (public articles), so it authenticates only requests that carry credentials.
  app.use('/api/v1/kb', kbRoutes({ articles, search: kbSearch, feedback: kbFeedback, authenticate: authenticate(deps.db, deps.adminApiKey, keyCache) }));
  app.use('/api/v1', api);
  // The agents' console and the customers' portal: server-rendered pages on the same services.
  app.use(webRoutes({ db: deps.db, tickets, lifecycle, incidents, csat, integrations: deps.integrations, log: deps.log, kb: { articles, search: kbSearch, feedback: kbFeedback }, agentStatus }));
  app.use((_req, _res, next) => next(new NotFound('page', 'no such endpoint')));
  app.use(errorMiddleware(deps.log));
  return { app, lifecycle, tickets, incidents, articles, kbSearch };
}
