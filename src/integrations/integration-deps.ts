/**
 * The shapes an integration and the registries share: what an integration is handed, and what
 * its `integration.ts` declares (ladder actions for tickets and incidents, hooks on a ticket's
 * events, webhook routes, listeners). Members import only this file (and config.ts); the
 * registries import the members' integration.ts, never the other way round.
 */
import type { Kysely } from 'kysely';
import type { Router } from 'express';
import type { z } from 'zod';
import type { Database } from '../db/schema';
import type { Logger } from '../core/logger';
import type { SuggestionSearch } from '../domain/search/suggestions';
import type { IntegrationConfig } from './config';
import type { TicketLifecycle } from '../domain/tickets/ticket-lifecycle';
import type { TicketService } from '../domain/tickets/ticket-service';
import type { IncidentLifecycle } from '../domain/incidents/incident-lifecycle';
import type { ActionOutcome, EventInput, RunActionInput } from '../../workflows/contract/records';
import type { IncidentActionInput } from '../../workflows/contract/incident';

export interface IntegrationRouteDeps {
  db: Kysely<Database>;
  lifecycle: TicketLifecycle;
  tickets: TicketService;
  incidents?: IncidentLifecycle;
  config: IntegrationConfig;
  log: Logger;
}

export interface IntegrationDeps {
  db: Kysely<Database>;
  config: IntegrationConfig;
  log?: Logger;
  /** The knowledge base's search, for suggested articles (the acknowledgement email); PostgreSQL full-text search when absent. */
  kbSearch?: SuggestionSearch;
}

/** What a ladder action does for a ticket's step. */
export type ActionHandler = (input: RunActionInput) => Promise<ActionOutcome>;
/** What a ladder action does for an incident's step. */
export type IncidentActionHandler = (input: IncidentActionInput) => Promise<ActionOutcome>;

/** One action type, for tickets, incidents or both; a subject without a handler records the action as skipped. */
export interface ActionHandlers {
  ticket?: ActionHandler;
  incident?: IncidentActionHandler;
}

export interface HookContext {
  ticketId: string;
  event: EventInput;
}

export type HookHandler = (ctx: HookContext) => Promise<void>;

/** A handler for some of a ticket's event types; its effect happens once per event and handler name. */
export interface IntegrationHook {
  name: string;
  types: string[];
  handle: HookHandler;
}

/** Acknowledges or resolves what an integration opened for an incident (PagerDuty alerts); answers how many it settled. */
export type IncidentAlertSettler = (incidentId: string, how: 'acknowledge' | 'resolve') => Promise<number>;

/** What a configured integration adds to the worker. */
export interface WorkerParts {
  /** Ladder actions by type (the `type` of a step's action). */
  actions?: Record<string, ActionHandlers>;
  hooks?: IntegrationHook[];
  settleIncidentAlerts?: IncidentAlertSettler;
}

export type RouteBuilder = (deps: IntegrationRouteDeps) => { inbound?: Router; authenticated?: Router };

/** A listener beside the API; answers its stop function, or null when its configuration is absent. */
export type ServerStarter = (deps: IntegrationRouteDeps) => Promise<(() => Promise<void>) | null>;

/** A status-page subscriber as mail sees them. */
export interface StatusRecipient {
  id: string;
  email: string;
  token: string;
}

/** A public incident update as it is mailed to subscribers. */
export interface IncidentNotice {
  incidentId: string;
  number: string;
  title: string;
  status: string;
  updateId: string;
  updateStatus: string;
  body: string;
}

/** What one send did: sent now, sent before (recorded), or refused for good by the server (5xx, recorded, never retried). */
export type StatusMailOutcome = { outcome: 'sent' | 'already_sent' } | { outcome: 'refused'; code: number; message: string };

/** Mail to status-page subscribers: a subscription's confirmation and each public incident update, each sent once. */
export interface StatusMail {
  sendConfirmation(to: StatusRecipient): Promise<StatusMailOutcome>;
  sendIncidentUpdate(to: StatusRecipient, notice: IncidentNotice): Promise<StatusMailOutcome>;
}

/** What a status-mail provider needs: the store its sends are recorded in and the configuration. */
export interface StatusMailDeps {
  db: Kysely<Database>;
  config: IntegrationConfig;
}

/** What an agent may ask when opening a ticket's issue by hand (the body of `POST /tickets/:id/jira`). */
export interface OpenIssueBody {
  syncComments?: boolean | undefined;
  issueType?: string | undefined;
}

/** The ticket's issue after an agent's "open the issue now": made by this request, or one an earlier request (or the ladder) made. */
export interface OpenedIssue {
  created: boolean;
  key: string;
  url: string;
  syncComments: boolean;
}

/** Opens (or returns) a ticket's issue for an agent; its failures are already PacerErrors, so the API and the console answer alike. */
export interface IssueOpener {
  open(req: OpenIssueBody & { ticketId: string; origin: string }): Promise<OpenedIssue>;
}

/** What an issue opener needs: the store, the configuration, and a log for the outside failures it turns into PacerErrors. */
export interface IssueOpenerDeps {
  db: Kysely<Database>;
  config: IntegrationConfig;
  log: Logger;
}

/** An agent's "open an issue" capability: the body it accepts (also for the OpenAPI document) and its opener, null when its configuration is absent. */
export interface OpenIssueCapability {
  body: z.ZodType<OpenIssueBody>;
  opener: (deps: IssueOpenerDeps) => IssueOpener | null;
}

/** One integration's `integration.ts`: everything it registers, as data and functions. */
export interface Integration {
  name: string;
  /** Its part of the worker; null when its configuration is absent (its actions are then recorded as skipped). */
  worker?: (deps: IntegrationDeps) => WorkerParts | null;
  /** Its webhook and agent routes, mounted by the HTTP app. */
  routes?: RouteBuilder;
  /** Its listener beside the API. */
  server?: ServerStarter;
  /** Its mail to status-page subscribers, used by the API (confirmations) and the worker (updates); null when its configuration is absent. */
  statusMail?: (deps: StatusMailDeps) => StatusMail | null;
  /** An agent's "open an issue for this ticket", used by the API and the console. */
  openIssue?: OpenIssueCapability;
}
