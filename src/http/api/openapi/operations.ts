/**
 * Every operation under /api/v1, with the schemas its route parses (imported from where the
 * route takes them) and the views it answers with (./responses). Kept in route-file order.
 */
import { z } from 'zod';
import { openIssueBody } from '../../../integrations/open-issue';
import { calendarSchema, incidentPolicySchema, policySchema } from '../../kit/settings-schemas';
import {
  createIncidentSchema,
  incidentUpdateSchema,
  linkTicketSchema,
  listIncidentsQuery,
  metricsQuery,
  patchIncidentSchema,
  postmortemSchema,
  severity,
} from '../incident-schemas';
import { keySchema } from '../routes/api-keys';
import { orgPatchSchema, orgSchema } from '../routes/organizations';
import { webhookPatchSchema, webhookSchema } from '../routes/webhooks';
import { createSchema as createComponentSchema, patchSchema as patchComponentSchema } from '../routes/components';
import { KB_OPERATIONS } from '../routes/kb';
import { KB_FEEDBACK_OPERATIONS } from '../routes/kb-feedback';
import { CONTRACT_OPERATIONS } from '../routes/contracts';
import { CSAT_OPERATIONS } from '../routes/csat';
import { CLASSIFIER_OPERATIONS } from '../routes/classifier';
import { ROUTING_OPERATIONS } from '../routes/routing';
import { listQuery as slaListQuery, previewSchema } from '../routes/sla';
import { subscriptionSchema } from '../routes/status';
import { acknowledgeSchema, createTicketQuery, escalateSchema } from '../routes/tickets';
import { createSchema as createUserSchema, patchSchema as patchUserSchema } from '../routes/users';
import { commentSchema, createTicketSchema, listTicketsQuery, patchTicketSchema, uuid } from '../../kit/schemas';
import type { Operation } from './operation';
import * as r from './responses';
import * as ro from './rollout-responses';
import { impactQuery } from '../routes/rollouts';
import { REPORT_OPERATIONS } from './report-responses';

const staff = ['admin', 'agent'] as const;
const admins = ['admin'] as const;
const everyone = ['admin', 'agent', 'customer'] as const;
const id = { id: uuid };
const created = (what: string, schema: z.ZodType) => ({ 201: { description: `the new ${what}`, schema } });
const ok = (description: string, schema: z.ZodType) => ({ 200: { description, schema } });
const gone = { 204: { description: 'deleted; no body' } };
const location = { Location: 'the new resource' };

const tickets: Operation[] = [
  {
    method: 'post', path: '/tickets', tag: 'tickets', roles: everyone, summary: 'Create a ticket', query: createTicketQuery, body: createTicketSchema, idempotent: true, errors: [409],
    description: "A customer key creates tickets for its own organization only. The ticket's workflow starts before the answer. With `?suggest=N` the answer also carries `suggestedArticles`: up to N published knowledge-base articles the requester's organization may read, found from the subject and description (not logged as searches).",
    success: { 201: { description: 'the new ticket', schema: r.ticketWithSuggestionsResponse, headers: location }, 200: { description: 'the ticket an earlier request with this Idempotency-Key created (Idempotent-Replayed: true)', schema: r.ticketWithSuggestionsResponse } },
  },
  { method: 'get', path: '/tickets', tag: 'tickets', roles: everyone, summary: 'List tickets, newest first', query: listTicketsQuery, success: ok('a page; pass nextCursor as cursor for the next', r.ticketPage), description: 'A customer key sees its organization only.' },
  { method: 'get', path: '/tickets/:id', tag: 'tickets', roles: everyone, summary: 'Read a ticket', params: id, success: ok('the ticket', r.ticketResponse) },
  { method: 'patch', path: '/tickets/:id', tag: 'tickets', roles: everyone, summary: 'Change a ticket', params: id, body: patchTicketSchema, idempotent: true, errors: [409], success: ok('the ticket after the change', r.ticketResponse), description: 'A customer may only cancel.' },
  { method: 'post', path: '/tickets/:id/comments', tag: 'tickets', roles: everyone, summary: 'Comment on a ticket', params: id, body: commentSchema, idempotent: true, errors: [409], success: created('comment', r.commentResponse), description: 'Customers write public comments only.' },
  { method: 'post', path: '/tickets/:id/acknowledge', tag: 'tickets', roles: staff, summary: "Acknowledge a ticket's clocks (stops its ladder pages)", params: id, body: acknowledgeSchema, bodyRequired: false, errors: [409], success: ok('who owns each clock now', r.acknowledgeResponse) },
  { method: 'post', path: '/tickets/:id/escalate', tag: 'tickets', roles: staff, summary: "Run the next ladder step's actions now", params: id, body: escalateSchema, bodyRequired: false, errors: [409], success: ok('the step that ran', r.escalateResponse) },
  { method: 'get', path: '/tickets/:id/comments', tag: 'tickets', roles: everyone, summary: "A ticket's comments, oldest first", params: id, success: ok('customers see public ones only', r.listOf(r.commentResponse)) },
  { method: 'get', path: '/tickets/:id/events', tag: 'tickets', roles: everyone, summary: "A ticket's timeline", params: id, success: ok('customers see public entries only', r.eventList) },
  { method: 'get', path: '/tickets/:id/sla', tag: 'tickets', roles: everyone, summary: "A ticket's live SLA clocks", params: id, errors: [409], success: ok('from the workflow', r.ticketSlaResponse) },
];

const sla: Operation[] = [
  { method: 'post', path: '/sla/preview', tag: 'sla', roles: staff, summary: 'Preview due instants of a policy against a ticket history', body: previewSchema, success: ok('the clocks as the policy would run them', r.slaPreviewResponse) },
  { method: 'get', path: '/sla/breaches', tag: 'sla', roles: everyone, summary: 'Open tickets that breached a clock', query: slaListQuery, success: ok('tickets', r.ticketList) },
  { method: 'get', path: '/sla/at-risk', tag: 'sla', roles: everyone, summary: 'Open tickets at risk of a breach', query: slaListQuery, success: ok('tickets', r.ticketList) },
];

const components: Operation[] = [
  { method: 'get', path: '/components', tag: 'status', roles: staff, summary: 'Service components', success: ok('every component', r.listOf(r.componentResponse)) },
  { method: 'get', path: '/components/:id', tag: 'status', roles: staff, summary: 'Read a component', params: id, success: ok('the component', r.componentResponse) },
  { method: 'post', path: '/components', tag: 'status', roles: admins, summary: 'Create a component', body: createComponentSchema, errors: [409], success: created('component', r.componentResponse) },
  { method: 'patch', path: '/components/:id', tag: 'status', roles: admins, summary: 'Change a component', params: id, body: patchComponentSchema, errors: [409], success: ok('the component', r.componentResponse) },
  { method: 'delete', path: '/components/:id', tag: 'status', roles: admins, summary: 'Delete a component', params: id, success: gone },
];

const incidents: Operation[] = [
  {
    method: 'post', path: '/incidents', tag: 'incidents', roles: staff, summary: 'Declare an incident', body: createIncidentSchema, idempotent: true, errors: [409],
    success: { 201: { description: 'the new incident', schema: r.incidentResponse, headers: location }, 200: { description: 'the incident an earlier request with this Idempotency-Key created', schema: r.incidentResponse } },
  },
  { method: 'get', path: '/incidents', tag: 'incidents', roles: staff, summary: 'List incidents, newest first', query: listIncidentsQuery, success: ok('a page', r.incidentPage) },
  { method: 'get', path: '/incidents/metrics', tag: 'incidents', roles: staff, summary: 'MTTA and MTTR by severity', query: metricsQuery, success: ok('over [from, to), by default the last 30 days', r.incidentMetricsResponse) },
  { method: 'get', path: '/incidents/:id', tag: 'incidents', roles: staff, summary: 'Read an incident with its links, post-mortem and live clocks', params: id, success: ok('the incident', r.incidentDetailResponse) },
  { method: 'patch', path: '/incidents/:id', tag: 'incidents', roles: staff, summary: 'Change an incident', params: id, body: patchIncidentSchema, idempotent: true, errors: [409], success: ok('the incident after the change', r.incidentResponse) },
  { method: 'post', path: '/incidents/:id/updates', tag: 'incidents', roles: staff, summary: 'Post a timeline update (and move the status)', params: id, body: incidentUpdateSchema, idempotent: true, errors: [409], success: created('update', r.incidentUpdateResponse) },
  { method: 'get', path: '/incidents/:id/updates', tag: 'incidents', roles: staff, summary: "An incident's updates, oldest first", params: id, success: ok('updates', r.listOf(r.incidentUpdateResponse)) },
  { method: 'get', path: '/incidents/:id/events', tag: 'incidents', roles: staff, summary: "An incident's timeline", params: id, success: ok('entries', r.eventList) },
  { method: 'post', path: '/incidents/:id/acknowledge', tag: 'incidents', roles: staff, summary: 'Acknowledge an incident', params: id, errors: [409], success: ok('the incident', r.incidentResponse) },
  { method: 'post', path: '/incidents/:id/tickets', tag: 'incidents', roles: staff, summary: 'Link a ticket (it waits on the incident)', params: id, body: linkTicketSchema, errors: [409], success: created('link', r.incidentLinkResponse) },
  { method: 'delete', path: '/incidents/:id/tickets/:ticketId', tag: 'incidents', roles: staff, summary: 'Unlink a ticket', params: { id: uuid, ticketId: uuid }, errors: [409], success: gone },
  { method: 'put', path: '/incidents/:id/postmortem', tag: 'incidents', roles: staff, summary: 'Record the post-mortem', params: id, body: postmortemSchema, idempotent: true, errors: [409], success: ok('the post-mortem', r.postmortemResponse) },
  { method: 'get', path: '/incident-policies', tag: 'incidents', roles: staff, summary: "Each severity's targets, ladders and post-mortem rule", success: ok('one per severity', r.listOf(r.incidentPolicyResponse)) },
  { method: 'put', path: '/incident-policies/:severity', tag: 'incidents', roles: admins, summary: "Replace a severity's policy (its rollout re-targets that severity's incidents not yet closed)", params: { severity }, body: incidentPolicySchema, success: ok('the policy and its rollout', ro.incidentPolicySavedResponse) },
];

const integrations: Operation[] = [
  { method: 'get', path: '/tickets/:id/links', tag: 'integrations', roles: staff, summary: "A ticket's records in outside systems (Jira issues, PagerDuty incidents)", params: id, success: ok('links', r.ticketLinksResponse) },
  {
    method: 'post', path: '/tickets/:id/jira', tag: 'integrations', roles: staff, summary: "Open (or return) the ticket's Jira issue", params: id, body: openIssueBody(), bodyRequired: false, errors: [502],
    mountedWhen: (c) => c.jira !== undefined,
    success: { 201: { description: 'the issue was opened now', schema: r.jiraLinkResponse }, 200: { description: 'the issue an earlier request opened', schema: r.jiraLinkResponse } },
  },
];

const settings: Operation[] = [
  { method: 'get', path: '/tiers', tag: 'settings', roles: everyone, summary: 'Support tiers, lowest first', success: ok('tiers', r.tierList) },
  { method: 'get', path: '/priorities', tag: 'settings', roles: everyone, summary: 'Ticket priorities, most urgent first', success: ok('priorities', r.priorityList) },
  { method: 'get', path: '/organizations', tag: 'settings', roles: everyone, summary: 'Organizations', description: 'A customer key sees its own only.', success: ok('organizations', r.listOf(r.organizationResponse)) },
  { method: 'get', path: '/organizations/:id', tag: 'settings', roles: everyone, summary: 'Read an organization', params: id, success: ok('the organization', r.organizationResponse) },
  { method: 'post', path: '/organizations', tag: 'settings', roles: admins, summary: 'Create an organization', body: orgSchema, errors: [409], success: created('organization', r.organizationResponse) },
  { method: 'patch', path: '/organizations/:id', tag: 'settings', roles: admins, summary: 'Change an organization (a tier change re-targets its open tickets)', params: id, body: orgPatchSchema, errors: [409], success: ok('the organization; with a rollout id when the tier changed', ro.organizationTierResponse) },
  { method: 'delete', path: '/organizations/:id', tag: 'settings', roles: admins, summary: 'Delete an organization without tickets or keys', params: id, errors: [409], success: gone },
  { method: 'get', path: '/calendars', tag: 'settings', roles: staff, summary: 'Business calendars', success: ok('calendars', r.listOf(r.calendarResponse)) },
  { method: 'get', path: '/calendars/:id', tag: 'settings', roles: staff, summary: 'Read a calendar', params: id, success: ok('the calendar', r.calendarResponse) },
  { method: 'post', path: '/calendars', tag: 'settings', roles: admins, summary: 'Create a calendar', body: calendarSchema, errors: [409], success: created('calendar', r.calendarResponse) },
  { method: 'put', path: '/calendars/:id', tag: 'settings', roles: admins, summary: 'Replace a calendar (its rollout re-targets the open tickets on it)', params: id, body: calendarSchema, errors: [409], success: ok('the calendar and its rollout', ro.calendarSavedResponse) },
  { method: 'post', path: '/calendars/:id/impact', tag: 'settings', roles: admins, summary: 'What replacing a calendar would do to open tickets (changes nothing)', params: id, query: impactQuery, body: calendarSchema, success: ok('a page of the impact', ro.impactResponse) },
  { method: 'delete', path: '/calendars/:id', tag: 'settings', roles: admins, summary: 'Delete a calendar no policy uses', params: id, errors: [409], success: gone },
  { method: 'get', path: '/sla-policies', tag: 'settings', roles: staff, summary: 'SLA policies', success: ok('policies', r.listOf(r.slaPolicyResponse)) },
  { method: 'get', path: '/sla-policies/:id', tag: 'settings', roles: staff, summary: 'Read an SLA policy', params: id, success: ok('the policy', r.slaPolicyResponse) },
  { method: 'post', path: '/sla-policies', tag: 'settings', roles: admins, summary: 'Create an SLA policy', body: policySchema, errors: [409], success: created('policy', r.slaPolicyResponse) },
  { method: 'put', path: '/sla-policies/:id', tag: 'settings', roles: admins, summary: 'Replace an SLA policy (its rollout re-targets the open tickets on it)', params: id, body: policySchema, errors: [409], success: ok('the policy and its rollout', ro.slaPolicySavedResponse) },
  { method: 'post', path: '/sla-policies/:id/impact', tag: 'settings', roles: admins, summary: 'What replacing an SLA policy would do to open tickets (changes nothing)', params: id, query: impactQuery, body: policySchema, success: ok('a page of the impact', ro.impactResponse) },
  { method: 'get', path: '/rollouts/:id', tag: 'settings', roles: staff, summary: "A saved edit's progress through the open tickets", params: id, success: ok('the rollout', ro.rolloutResponse) },
  { method: 'delete', path: '/sla-policies/:id', tag: 'settings', roles: admins, summary: 'Delete an SLA policy', params: id, errors: [409], success: gone },
  { method: 'get', path: '/webhooks', tag: 'webhooks', roles: admins, summary: 'Webhook subscriptions', success: ok('subscriptions', r.listOf(r.webhookResponse)) },
  { method: 'post', path: '/webhooks', tag: 'webhooks', roles: admins, summary: 'Subscribe a URL to events', body: webhookSchema, success: created('subscription, with its signing secret', r.webhookCreatedResponse) },
  { method: 'get', path: '/webhooks/:id', tag: 'webhooks', roles: admins, summary: 'Read a subscription', params: id, success: ok('the subscription', r.webhookResponse) },
  { method: 'patch', path: '/webhooks/:id', tag: 'webhooks', roles: admins, summary: 'Change a subscription', params: id, body: webhookPatchSchema, success: ok('the subscription', r.webhookResponse) },
  { method: 'delete', path: '/webhooks/:id', tag: 'webhooks', roles: admins, summary: 'Delete a subscription', params: id, success: gone },
  { method: 'get', path: '/api-keys', tag: 'api-keys', roles: admins, summary: 'API keys (prefixes only)', success: ok('keys', r.listOf(r.apiKeyResponse)) },
  { method: 'post', path: '/api-keys', tag: 'api-keys', roles: admins, summary: 'Create an API key', body: keySchema, success: created('key, shown once', r.apiKeyCreatedResponse) },
  { method: 'delete', path: '/api-keys/:id', tag: 'api-keys', roles: admins, summary: 'Revoke an API key', params: id, success: ok('the revoked key', r.apiKeyResponse) },
];

const users: Operation[] = [
  { method: 'get', path: '/users', tag: 'users', roles: admins, summary: 'Console and portal users', success: ok('users', r.listOf(r.userResponse)) },
  { method: 'get', path: '/users/:id', tag: 'users', roles: admins, summary: 'Read a user', params: id, success: ok('the user', r.userResponse) },
  { method: 'post', path: '/users', tag: 'users', roles: admins, summary: 'Create a user', body: createUserSchema, errors: [409], success: { 201: { description: 'the new user', schema: r.userResponse, headers: location } } },
  { method: 'patch', path: '/users/:id', tag: 'users', roles: admins, summary: 'Change a user', params: id, body: patchUserSchema, errors: [409], success: ok('the user', r.userResponse) },
];

const status: Operation[] = [
  { method: 'get', path: '/status', tag: 'status', roles: 'public', summary: 'The public status page as JSON', success: ok('components, their uptime, active and recent incidents', r.statusResponse) },
  {
    method: 'post', path: '/status/subscriptions', tag: 'status', roles: 'public', summary: 'Subscribe an address to public incident updates', body: subscriptionSchema, errors: [429],
    description: 'The same 202 whether or not the address was subscribed; a confirmation mail follows. 503 without outbound email; 429 with Retry-After when an address or a client asks too often.',
    success: { 202: { description: 'accepted', schema: r.subscriptionAccepted } },
  },
];

export const OPERATIONS: readonly Operation[] = [...tickets, ...sla, ...components, ...incidents, ...integrations, ...settings, ...users, ...status, ...KB_OPERATIONS, ...KB_FEEDBACK_OPERATIONS, ...REPORT_OPERATIONS, ...CONTRACT_OPERATIONS, ...CSAT_OPERATIONS, ...CLASSIFIER_OPERATIONS, ...ROUTING_OPERATIONS];
