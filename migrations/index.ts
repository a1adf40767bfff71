/**
 * Every migration, in order. Listed statically (not discovered on disk) so the same
 * set runs under tsx, mocha and any bundler, and a missing file is a compile error.
 */
import type { Migration } from 'kysely';
import * as initial from './2026_11_23_00_00_00_initial';
import * as integrations from './2026_11_23_01_00_00_integrations';
import * as incidents from './2026_12_01_00_00_00_incidents';
import * as users from './2026_12_01_01_00_00_users';
import * as statusSubscriptionRequests from './2026_12_01_23_00_00_status_subscription_requests';
import * as knowledgeBase from './2026_12_02_00_00_00_knowledge_base';
import * as rollouts from './2026_12_02_00_30_00_rollouts';
import * as repeatingClocks from './2026_12_02_01_00_00_repeating_clocks';
import * as eventCommitOrder from './2026_12_02_10_00_00_event_commit_order';
import * as kbFeedback from './2026_12_02_10_20_00_kb_feedback';
import * as csat from './2026_12_02_10_50_00_csat';
import * as incidentWebhooks from './2026_12_02_19_00_00_incident_webhooks';
import * as kbDeflectionSessions from './2026_12_02_19_10_00_kb_deflection_sessions';
import * as reportSummaries from './2026_12_02_19_40_00_report_summaries';
import * as contracts from './2026_12_02_19_50_00_contracts';
import * as serverSecrets from './2026_12_02_19_20_00_server_secrets';
import * as routing from './2026_12_03_10_00_00_routing';
import * as ticketCategorization from './2026_12_03_20_00_00_ticket_categorization';

export const migrations: Record<string, Migration> = {
  '2026_11_23_00_00_00_initial': initial,
  '2026_11_23_01_00_00_integrations': integrations,
  '2026_12_01_00_00_00_incidents': incidents,
  '2026_12_01_01_00_00_users': users,
  '2026_12_01_23_00_00_status_subscription_requests': statusSubscriptionRequests,
  '2026_12_02_00_00_00_knowledge_base': knowledgeBase,
  '2026_12_02_00_30_00_rollouts': rollouts,
  '2026_12_02_01_00_00_repeating_clocks': repeatingClocks,
  '2026_12_02_10_00_00_event_commit_order': eventCommitOrder,
  '2026_12_02_10_20_00_kb_feedback': kbFeedback,
  '2026_12_02_10_50_00_csat': csat,
  '2026_12_02_19_00_00_incident_webhooks': incidentWebhooks,
  '2026_12_02_19_10_00_kb_deflection_sessions': kbDeflectionSessions,
  '2026_12_02_19_40_00_report_summaries': reportSummaries,
  '2026_12_02_19_50_00_contracts': contracts,
  '2026_12_02_19_20_00_server_secrets': serverSecrets,
  '2026_12_03_10_00_00_routing': routing,
  '2026_12_03_20_00_00_ticket_categorization': ticketCategorization,
};
