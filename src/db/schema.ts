/**
 * The typed map of every table; code uses Selectable/Insertable/Updateable of these,
 * so a drift between migrations and code shows up as a type error.
 */
import type { ColumnType, Generated, Insertable, Kysely, Selectable } from 'kysely';
import type { CategorySource } from '../../workflows/contract/ticket';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in (defaults to now()). */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TiersTable { name: string; label: string; rank: number }
export interface PrioritiesTable { name: string; label: string; rank: number }

export interface OrganizationsTable {
  id: string;
  name: string;
  tier: string;
  email_domains: Json<string[]>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface CalendarsTable {
  id: string;
  name: string;
  timezone: string;
  weekly: Json<Record<string, Array<[string, string]>>>;
  holidays: Json<string[]>;
  /** Bumped on every save; snapshots carry it so an older edit never overwrites a newer one. */
  edit_version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface SlaPoliciesTable {
  id: string;
  name: string;
  tier: string;
  priority: string;
  calendar_id: string;
  first_response_minutes: number | null;
  resolution_minutes: number | null;
  pause_on: Json<string[]>;
  escalations: Json<unknown[]>;
  auto_close_days: number;
  pause_on_incident: Generated<boolean>;
  next_reply_minutes: number | null;
  next_reply_escalations: ColumnType<unknown[], string | undefined, string>;
  update_every_minutes: number | null;
  update_escalations: ColumnType<unknown[], string | undefined, string>;
  edit_version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface TicketsTable {
  id: string;
  number: string;
  subject: string;
  description: string;
  priority: string;
  status: string;
  channel: string;
  category: string | null;
  requester_email: string;
  requester_name: string | null;
  assignee: string | null;
  organization_id: string;
  policy_id: string | null;
  workflow_id: string;
  state_version: number;
  fr_due_at: Timestamp | null;
  fr_met_at: Timestamp | null;
  fr_at_risk_at: Timestamp | null;
  res_due_at: Timestamp | null;
  res_met_at: Timestamp | null;
  res_at_risk_at: Timestamp | null;
  res_paused_since: Timestamp | null;
  nr_due_at: Timestamp | null;
  nr_at_risk_at: Timestamp | null;
  nr_breaches: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  solved_at: Timestamp | null;
  closed_at: Timestamp | null;
  /** The routing group its matching rule chose (null: no rule matched, or routing never saw it). */
  routing_group_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The skills the matching rule asked for ([{name, minLevel}]). */
  required_skills: ColumnType<RequiredSkill[] | null, string | null | undefined, string | null>;
  /** ISO 639-1, detected at intake; null when unsure (src/domain/classify/language-detection.ts). */
  language: Generated<string | null>;
  category_source: Generated<CategorySource | null>;
  category_confidence: Generated<number | null>;
  category_suggestion: Generated<string | null>;
}

/** What the category classifier trains on: one row per ticket an agent categorised. */
export interface CategoryExamplesTable {
  ticket_id: string;
  category: string;
  text: string;
  labelled_by: string;
  labelled_at: GeneratedTimestamp;
}

export interface CommentsTable {
  id: string;
  ticket_id: string;
  author_type: string;
  author_name: string;
  body: string;
  public: boolean;
  created_at: Timestamp;
}

export interface TicketEventsTable {
  id: string;
  seq: Generated<string>;
  ticket_id: string;
  type: string;
  at: Timestamp;
  actor: string;
  visibility: string;
  data: Json<Record<string, unknown>>;
}

export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  secret: string;
  event_types: Json<string[]>;
  active: Generated<boolean>;
  created_at: GeneratedTimestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  /** A ticket event's id, or null for an incident event's delivery (exactly one is set). */
  event_id: string | null;
  incident_event_id: ColumnType<string | null, string | undefined, string | null>;
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  organization_id: string | null;
  key_hash: string;
  key_prefix: string;
  created_at: GeneratedTimestamp;
  revoked_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  ticket_id: string;
  ticket_input: Json<unknown>;
  created_at: GeneratedTimestamp;
}

export interface IntegrationEffectsTable { key: string; result: Json<unknown>; created_at: GeneratedTimestamp }
export interface TicketLinksTable { ticket_id: string; kind: string; external_key: string; url: string | null; data: ColumnType<Record<string, unknown>, string | undefined, string>; created_at: GeneratedTimestamp }
export interface EmailMessagesTable { message_id: string; ticket_id: string; direction: 'in' | 'out'; kind: string; created_at: GeneratedTimestamp }
export interface InboundWebhooksTable { id: string; received_at: GeneratedTimestamp }
export interface AttachmentsTable { id: string; ticket_id: string; comment_id: string | null; filename: string; content_type: string; size: number; content: Buffer; created_at: GeneratedTimestamp }

type JsonColumn<T> = ColumnType<T, string | undefined, string>;

export interface IncidentPoliciesTable {
  severity: string;
  rank: number;
  acknowledge_minutes: number;
  resolve_minutes: number;
  calendar_id: string | null;
  acknowledgement_escalations: Json<unknown[]>;
  resolution_escalations: Json<unknown[]>;
  postmortem_required: boolean;
  postmortem_reminder_hours: Json<number[]>;
  solve_linked_tickets: Generated<boolean>;
  update_every_minutes: number | null;
  update_escalations: ColumnType<unknown[], string | undefined, string>;
  edit_version: Generated<number>;
  updated_at: GeneratedTimestamp;
}

export interface IncidentsTable {
  id: string;
  number: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  commander: string | null;
  responders: JsonColumn<string[]>;
  impact: string;
  affected_customers: number | null;
  affected_components: JsonColumn<string[]>;
  source_ticket_id: string | null;
  created_by: string;
  workflow_id: string;
  state_version: Generated<number>;
  ack_due_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  res_due_at: Timestamp | null;
  resolved_at: Timestamp | null;
  closed_at: Timestamp | null;
  postmortem_required: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IncidentEventsTable {
  id: string;
  seq: Generated<string>;
  incident_id: string;
  type: string;
  at: Timestamp;
  actor: string;
  visibility: string;
  data: Json<Record<string, unknown>>;
}

export interface IncidentUpdatesTable { id: string; incident_id: string; status: string; body: string; public: boolean; author: string; created_at: Timestamp }
export interface IncidentTicketsTable { incident_id: string; ticket_id: string; linked_by: string; linked_at: Timestamp }
export interface IncidentLinksTable { incident_id: string; kind: string; external_key: string; url: string | null; data: ColumnType<Record<string, unknown>, string | undefined, string>; created_at: GeneratedTimestamp }
export interface IncidentPostmortemsTable { incident_id: string; summary: string; root_cause: string; action_items: Json<unknown[]>; recorded_by: string; recorded_at: Timestamp }
export interface IncidentIdempotencyKeysTable { scope: string; key: string; request_hash: string; incident_id: string; incident_input: Json<unknown>; created_at: GeneratedTimestamp }
export interface ComponentsTable { id: string; name: string; group_name: string | null; description: string | null; position: Generated<number>; status: Generated<string>; created_at: GeneratedTimestamp; updated_at: GeneratedTimestamp }
export interface ComponentImpactsTable { id: string; component_id: string; incident_id: string; impact: string; started_at: Timestamp; ended_at: Timestamp | null }
export interface StatusSubscribersTable { id: string; email: string; token: string; confirmed_at: Timestamp | null; unsubscribed_at: Timestamp | null; created_at: GeneratedTimestamp }

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  organization_id: string | null;
  password_hash: string;
  time_zone: ColumnType<string, string | undefined, string>;
  disabled_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}
export interface SessionsTable { token_hash: string; user_id: string; csrf_token: string; created_at: GeneratedTimestamp; expires_at: Timestamp }
export interface LoginFailuresTable { account: string; ip: string; at: GeneratedTimestamp }
export interface StatusSubscriptionRequestsTable { email: string; ip: string; at: GeneratedTimestamp }

export interface KbCategoriesTable { id: string; name: string; description: Generated<string>; position: Generated<number>; is_default: Generated<boolean>; created_at: GeneratedTimestamp; updated_at: GeneratedTimestamp }
export interface KbSectionsTable { id: string; category_id: string; name: string; description: Generated<string>; position: Generated<number>; created_at: GeneratedTimestamp; updated_at: GeneratedTimestamp }
export interface KbArticlesTable {
  id: string;
  category_id: string;
  section_id: string | null;
  locale: string;
  translation_group_id: string;
  state: string;
  visibility: string;
  organization_ids: Json<string[]>;
  latest_revision_id: string | null;
  published_revision_id: string | null;
  /** Written only through SQL (to_tsvector) by the article repository. */
  search_vector: ColumnType<string | null, never, never>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  published_at: Timestamp | null;
  archived_at: Timestamp | null;
}
export interface KbRevisionsTable { id: string; article_id: string; number: number; title: string; body: string; keywords: Json<string[]>; author: string; note: string | null; created_at: GeneratedTimestamp }
export interface KbSearchOutboxTable { id: Generated<string>; article_id: string; attempts: Generated<number>; created_at: GeneratedTimestamp }
export interface KbVotesTable { id: string; article_id: string; reader_key: string; helpful: boolean; comment: string | null; created_at: GeneratedTimestamp; updated_at: GeneratedTimestamp }
export interface KbArticleViewsTable { article_id: string; day: ColumnType<Date, string, string>; views: Generated<number> }
export interface KbSearchLogTable { id: Generated<string>; query: string; hit_count: number; caller_kind: 'anonymous' | 'customer' | 'agent' | 'admin'; created_at: GeneratedTimestamp }
/**
 * A reader opened a suggested article; a deflection while ticket_id is null (the suggestion session
 * filed no ticket). Written by the suggestion side (src/domain/search/suggestions.ts).
 */
export interface KbDeflectionsTable { id: string; article_id: string; reader_key: string; session_id: string | null; ticket_id: string | null; channel: Generated<string>; created_at: GeneratedTimestamp }
export interface KbSynonymsTable { id: string; synonyms: Json<string[]>; root: string | null; created_at: GeneratedTimestamp; updated_at: GeneratedTimestamp }

/** An edit carried to the open tickets or incidents it affects (see workflows/rollout). */
export interface RolloutsTable {
  id: string;
  kind: string;
  target_id: string;
  edit_version: number;
  status: Generated<string>;
  affected: Generated<number>;
  done: Generated<number>;
  unchanged: Generated<number>;
  failed: Generated<number>;
  failures: ColumnType<Array<{ id: string; reason: string }>, string | undefined, string>;
  created_by: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  finished_at: Timestamp | null;
}

/** One CSAT survey per ticket; the rating columns are null until the customer answers. */
export interface CsatSurveysTable {
  ticket_id: string;
  sent_at: Timestamp;
  expires_at: Timestamp;
  rating: number | null;
  comment: string | null;
  reason: string | null;
  /** Who held the ticket when it was rated (the agent a score is credited to). */
  assignee: string | null;
  organization_id: string | null;
  priority: string | null;
  rated_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** Columns every report row carries, so a report groups without joining tickets. */
interface ReportDimensions {
  ticket_id: string;
  number: string;
  organization_id: string;
  tier: string;
  priority: string;
  policy_id: string | null;
  policy_name: string | null;
  assignee: string | null;
}

/** A ticket as reports see it, recomputed from its event log (src/domain/reports/summary-refresh.ts). */
export interface ReportTicketsTable extends ReportDimensions {
  status: string;
  created_at: Timestamp;
  first_reply_at: Timestamp | null;
  first_reply_by: string | null;
  first_reply_business_ms: ColumnType<string | null, number | null, number | null>;
  solved_at: Timestamp | null;
  resolution_business_ms: ColumnType<string | null, number | null, number | null>;
  reopens: number;
  refreshed_at: GeneratedTimestamp;
}

/** One SLA clock (cycle) of a ticket: what the ticket's /sla answers, frozen at its last event. */
export interface ReportClocksTable extends ReportDimensions {
  clock: string;
  cycle: number;
  started_at: Timestamp;
  target_minutes: number;
  due_at: Timestamp | null;
  met_at: Timestamp | null;
  business_ms: ColumnType<string | null, number | null, number | null>;
}

/** Tickets whose summaries are stale: a trigger on ticket_events adds them. */
export interface ReportDirtyTable { id: Generated<string>; ticket_id: string }

/** What an organization was promised and what a broken promise costs (src/domain/contracts). */
export interface ContractsTable {
  id: string;
  organization_id: string;
  period: string;
  timezone: string;
  currency: string;
  /** int8: read it cast to text (`fee_minor::text`), so no driver turns it into a float. */
  fee_minor: ColumnType<string, string, string>;
  /** The first local date of the first period: YYYY-MM-01. */
  starts_on: string;
  rules: Json<unknown>;
  cap_bp: number | null;
  customer_visible: Generated<boolean>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** A breach a manager left out of the credits, with why; undone ones keep their row. */
export interface BreachExclusionsTable {
  id: string;
  breach_event_id: string;
  ticket_id: string;
  reason: string;
  note: string | null;
  incident_id: string | null;
  excluded_by: string;
  excluded_at: GeneratedTimestamp;
  undone_by: string | null;
  undone_at: Timestamp | null;
}

/** A closed period's statement, frozen. */
export interface ContractStatementsTable {
  contract_id: string;
  period_start: Timestamp;
  period_end: Timestamp;
  period_key: string;
  organization_id: string;
  body: Json<unknown>;
  closed_at: GeneratedTimestamp;
}
// ---- routing (issue 15) ----------------------------------------------------------------

export type RoutingStrategy = 'round_robin' | 'least_loaded' | 'skill_based' | 'deadline_aware';
export type AgentStatus = 'online' | 'away' | 'offline';
export type RoutingDecisionKind = 'queued' | 'assigned' | 'released' | 'unroutable';
/** An agent's skill, level 1 (can follow a script) to 5 (the expert). */
export interface AgentSkill { name: string; level: number }
/** What a rule asks of the agent: the skill at this level or above. */
export interface RequiredSkill { name: string; minLevel: number }
/** Every present list must match one of its values; subjectWords: any whole word, case-insensitive. */
export interface RoutingConditions {
  organizationIds?: string[];
  tiers?: string[];
  priorities?: string[];
  categories?: string[];
  channels?: string[];
  languages?: string[];
  subjectWords?: string[];
}
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;

/** A queue of agents and how it hands tickets out. */
export interface RoutingGroupsTable {
  id: string;
  name: string;
  strategy: ColumnType<RoutingStrategy, RoutingStrategy | undefined, RoutingStrategy>;
  release_on_offline: Generated<boolean>;
  away_release_minutes: number | null;
  release_on_shift_end: Generated<boolean>;
  answer_minutes: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}
export interface RoutingGroupMembersTable { group_id: string; user_id: string; added_at: GeneratedTimestamp }

/** An agent's routing profile; the agent's time zone is users.time_zone. */
export interface AgentProfilesTable {
  user_id: string;
  status: ColumnType<AgentStatus, AgentStatus | undefined, AgentStatus>;
  status_since: GeneratedTimestamp;
  capacity: Generated<number>;
  /** Priority name -> most open tickets of that priority at once. */
  capacity_by_priority: JsonWithDefault<Record<string, number>>;
  /** Null: always working. */
  calendar_id: string | null;
  /** ISO local dates (the agent's time zone). */
  days_off: JsonWithDefault<string[]>;
  /** ISO 639-1 codes. */
  languages: JsonWithDefault<string[]>;
  skills: JsonWithDefault<AgentSkill[]>;
  /** The last time round-robin picked this agent. */
  round_robin_at: Timestamp | null;
  updated_at: GeneratedTimestamp;
}

/** Evaluated in position order; the first enabled rule that matches decides. */
export interface RoutingRulesTable {
  id: string;
  position: number;
  name: string;
  enabled: Generated<boolean>;
  conditions: JsonWithDefault<RoutingConditions>;
  group_id: string;
  required_skills: JsonWithDefault<RequiredSkill[]>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** What routing decided for a ticket and why (the console's "why routed"). Ids are deterministic. */
export interface RoutingDecisionsTable {
  id: string;
  ticket_id: string;
  group_id: string;
  kind: RoutingDecisionKind;
  agent_user_id: string | null;
  strategy: string | null;
  reason: JsonWithDefault<Record<string, unknown>>;
  at: GeneratedTimestamp;
}

/** Secrets Pacer generated for itself (the CSAT link key when PACER_CSAT_SECRET is unset). */
export interface ServerSecretsTable { name: string; secret: string; created_at: GeneratedTimestamp }

export interface Database {
  tiers: TiersTable;
  priorities: PrioritiesTable;
  organizations: OrganizationsTable;
  calendars: CalendarsTable;
  sla_policies: SlaPoliciesTable;
  tickets: TicketsTable;
  category_examples: CategoryExamplesTable;
  comments: CommentsTable;
  ticket_events: TicketEventsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  integration_effects: IntegrationEffectsTable;
  ticket_links: TicketLinksTable;
  email_messages: EmailMessagesTable;
  inbound_webhooks: InboundWebhooksTable;
  attachments: AttachmentsTable;
  incident_policies: IncidentPoliciesTable;
  rollouts: RolloutsTable;
  incidents: IncidentsTable;
  incident_events: IncidentEventsTable;
  incident_updates: IncidentUpdatesTable;
  incident_tickets: IncidentTicketsTable;
  incident_links: IncidentLinksTable;
  incident_postmortems: IncidentPostmortemsTable;
  incident_idempotency_keys: IncidentIdempotencyKeysTable;
  components: ComponentsTable;
  component_impacts: ComponentImpactsTable;
  status_subscribers: StatusSubscribersTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  status_subscription_requests: StatusSubscriptionRequestsTable;
  kb_categories: KbCategoriesTable;
  kb_sections: KbSectionsTable;
  kb_articles: KbArticlesTable;
  kb_revisions: KbRevisionsTable;
  kb_search_outbox: KbSearchOutboxTable;
  kb_synonyms: KbSynonymsTable;
  kb_votes: KbVotesTable;
  kb_article_views: KbArticleViewsTable;
  kb_search_log: KbSearchLogTable;
  kb_deflections: KbDeflectionsTable;
  csat_surveys: CsatSurveysTable;
  report_tickets: ReportTicketsTable;
  report_clocks: ReportClocksTable;
  report_dirty: ReportDirtyTable;
  contracts: ContractsTable;
  breach_exclusions: BreachExclusionsTable;
  contract_statements: ContractStatementsTable;
  server_secrets: ServerSecretsTable;
  routing_groups: RoutingGroupsTable;
  routing_group_members: RoutingGroupMembersTable;
  agent_profiles: AgentProfilesTable;
  routing_rules: RoutingRulesTable;
  routing_decisions: RoutingDecisionsTable;
}

/** The database handle routes, pages and services pass to repositories (only src/db names kysely). */
export type Db = Kysely<Database>;

export type TicketRow = Selectable<TicketsTable>;
export type NewTicketRow = Insertable<TicketsTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type CalendarRow = Selectable<CalendarsTable>;
export type SlaPolicyRow = Selectable<SlaPoliciesTable>;
export type CommentRow = Selectable<CommentsTable>;
export type TicketEventRow = Selectable<TicketEventsTable>;
export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type IncidentRow = Selectable<IncidentsTable>;
export type NewIncidentRow = Insertable<IncidentsTable>;
export type ComponentRow = Selectable<ComponentsTable>;
export type UserRow = Selectable<UsersTable>;
export type KbCategoryRow = Selectable<KbCategoriesTable>;
export type KbSectionRow = Selectable<KbSectionsTable>;
export type KbArticleRow = Selectable<KbArticlesTable>;
export type KbRevisionRow = Selectable<KbRevisionsTable>;
export type KbSynonymRow = Selectable<KbSynonymsTable>;
export type RoutingGroupRow = Selectable<RoutingGroupsTable>;
export type AgentProfileRow = Selectable<AgentProfilesTable>;
export type RoutingRuleRow = Selectable<RoutingRulesTable>;
export type RoutingDecisionRow = Selectable<RoutingDecisionsTable>;
