/**
 * What the API answers, as zod schemas: the document's response shapes. The request shapes
 * are the routes' own schemas; these describe the views the routes build, and
 * view-keys.ts holds them to the views' field names at compile time. Objects are
 * plain z.object, which the document renders with `additionalProperties: false`, so a
 * field a view adds without documenting it fails the contract fuzz.
 */
import { z } from 'zod';
import { INCIDENT_IMPACTS, INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../../../../workflows/contract/incident';
import { PRIORITIES, TICKET_STATUSES } from '../../../../workflows/contract/ticket';
import { COMPONENT_STATUSES } from '../../../domain/status/component-status';
import { USER_ROLES } from '../../../domain/users/users';
import { ROLES } from '../../../core/principal';

const instant = z.iso.datetime({ offset: true });
const at = instant.nullable();
const id = z.uuid();
/** A JSON value the API stores and echoes as given (action settings, event payloads). */
const json = z.record(z.string(), z.unknown());

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'stable, machine-readable: validation_failed, unauthenticated, forbidden, not_found, conflict, …' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error', description: 'The one error shape of every 4xx and 5xx answer.' });

const clock = z.object({ dueAt: at, metAt: at, atRiskAt: at, breached: z.boolean(), atRisk: z.boolean() });
export const ticketResponse = z
  .object({
    id,
    number: z.string(),
    subject: z.string(),
    description: z.string(),
    priority: z.enum(PRIORITIES),
    status: z.enum(TICKET_STATUSES),
    channel: z.string(),
    category: z.string().nullable(),
    categorySource: z
      .enum(['agent', 'customer', 'classifier', 'keywords'])
      .nullable()
      .meta({ description: 'who chose the category: a person, or automatically (classifier or keywords: the timeline has a ticket.categorized event with automatic true); null for customers and when none was chosen' }),
    categoryConfidence: z.number().min(0).max(1).nullable().meta({ description: 'confidence of the automatic category, or of the suggestion' }),
    categorySuggestion: z.string().nullable().meta({ description: 'a category below the automatic threshold: suggested, not set (PATCH category to accept it)' }),
    language: z.string().nullable().meta({ description: 'ISO 639-1 language detected from the text at creation; null when unsure' }),
    requester: z.object({ email: z.string(), name: z.string().nullable() }),
    assignee: z.string().nullable(),
    organizationId: id,
    policyId: id.nullable(),
    createdAt: instant,
    updatedAt: instant,
    solvedAt: at,
    closedAt: at,
    sla: z.object({
      firstResponse: clock,
      resolution: clock.extend({ pausedSince: at }),
      nextReply: z.object({ dueAt: at, atRiskAt: at, breached: z.boolean(), atRisk: z.boolean(), breaches: z.number().int() }),
    }),
  })
  .meta({ id: 'Ticket' });
export const ticketWithSuggestionsResponse = ticketResponse
  .extend({
    suggestedArticles: z
      .array(z.object({ id, title: z.string(), snippet: z.string().meta({ description: 'HTML: text escaped, matches in <mark>' }), url: z.string().meta({ description: "the article's help-centre path" }) }))
      .optional()
      .meta({ description: 'with ?suggest=N: up to N published articles the requester may read, for the subject and description' }),
  })
  .meta({ id: 'TicketWithSuggestions' });
export const ticketPage = z.object({ data: z.array(ticketResponse), nextCursor: z.string().nullable() }).meta({ id: 'TicketPage' });
export const ticketList = z.object({ data: z.array(ticketResponse) });

export const commentResponse = z
  .object({
    id,
    ticketId: id,
    author: z.object({ type: z.string(), name: z.string() }),
    body: z.string(),
    public: z.boolean(),
    createdAt: instant,
  })
  .meta({ id: 'Comment' });

export const eventResponse = z
  .object({ id: z.string(), seq: z.number().int(), type: z.string(), at: instant, actor: z.string(), visibility: z.string(), data: json })
  .meta({ id: 'Event', description: 'One entry of a ticket or incident timeline.' });
export const eventList = z.object({ data: z.array(eventResponse) });

const acknowledgedBy = z.object({ by: z.string(), at: instant, source: z.string() });
const acknowledgedClocks = z.object({ first_response: acknowledgedBy.optional(), resolution: acknowledgedBy.optional() });
const slaClock = z.object({
  name: z.enum(['first_response', 'resolution', 'next_reply', 'update']),
  targetMinutes: z.number(),
  startedAt: instant,
  dueAt: at,
  metAt: at,
  breached: z.boolean().nullable(),
  pausedSince: at,
  pauseReason: z.string().nullable(),
  elapsedSeconds: z.number().int(),
  percentElapsed: z.number(),
  escalations: z.array(z.object({ percent: z.number(), at, fired: z.boolean() })),
});
export const ticketSlaResponse = z
  .object({
    ticketId: id,
    status: z.enum(TICKET_STATUSES),
    priority: z.enum(PRIORITIES),
    policyName: z.string().nullable(),
    firstResponse: slaClock.nullable(),
    resolution: slaClock.extend({ cycle: z.number().int() }).nullable(),
    nextReply: z.array(slaClock.extend({ cycle: z.number().int() })).nullable(),
    updateCadence: slaClock.extend({ cycle: z.number().int() }).nullable(),
    autoCloseAt: at,
    stateVersion: z.number().int(),
    acknowledged: acknowledgedClocks,
  })
  .meta({ id: 'TicketSla', description: "The ticket's live clocks, from its workflow." });
export const acknowledgeResponse = z.object({ acknowledged: acknowledgedClocks });
export const escalateResponse = z.object({ escalated: z.object({ clock: z.string(), percent: z.number(), step: z.string() }) });
export const ticketLinksResponse = z.object({ data: z.array(z.object({ kind: z.string(), key: z.string(), url: z.string().nullable(), createdAt: instant })) });
export const jiraLinkResponse = z.object({ kind: z.literal('jira'), key: z.string(), url: z.string(), syncComments: z.boolean() });

const previewClock = z.object({ dueAt: at, metAt: at, breached: z.boolean().nullable(), escalations: z.array(z.object({ percent: z.number(), at })) });
export const slaPreviewResponse = z
  .object({ firstResponse: previewClock, resolution: previewClock, nextReply: z.array(previewClock.extend({ startedAt: instant })) })
  .meta({ id: 'SlaPreview' });

export const incidentResponse = z
  .object({
    id,
    number: z.string(),
    title: z.string(),
    description: z.string(),
    severity: z.enum(INCIDENT_SEVERITIES),
    status: z.enum(INCIDENT_STATUSES),
    commander: z.string().nullable(),
    responders: z.array(z.string()),
    impact: z.enum(INCIDENT_IMPACTS),
    affectedComponents: z.array(id),
    affectedCustomers: z.number().int().nullable(),
    sourceTicketId: id.nullable(),
    createdBy: z.string(),
    createdAt: instant,
    updatedAt: instant,
    acknowledgement: z.object({ dueAt: at, acknowledgedAt: at, acknowledgedBy: z.string().nullable() }),
    resolution: z.object({ dueAt: at, resolvedAt: at }),
    closedAt: at,
    postmortemRequired: z.boolean(),
  })
  .meta({ id: 'Incident' });
export const incidentPage = z.object({ data: z.array(incidentResponse), nextCursor: z.string().nullable() }).meta({ id: 'IncidentPage' });
export const postmortemResponse = z
  .object({
    summary: z.string(),
    rootCause: z.string(),
    actionItems: z.array(z.object({ description: z.string(), owner: z.string(), dueDate: z.iso.date() })),
    recordedBy: z.string(),
    recordedAt: instant,
  })
  .meta({ id: 'Postmortem' });
const incidentClock = z.object({
  name: z.enum(['acknowledgement', 'resolution', 'update']),
  targetMinutes: z.number(),
  dueAt: at,
  metAt: at,
  breached: z.boolean().nullable(),
  escalations: z.array(z.object({ percent: z.number(), at, fired: z.boolean() })),
});
const incidentState = z.object({
  incidentId: id,
  status: z.enum(INCIDENT_STATUSES),
  severity: z.enum(INCIDENT_SEVERITIES),
  acknowledged: acknowledgedBy.nullable(),
  resolvedAt: at,
  postmortemRequired: z.boolean(),
  postmortemAt: at,
  nextPostmortemReminderAt: at,
  linkedTickets: z.array(id),
  acknowledgement: incidentClock,
  resolution: incidentClock,
  updateCadence: incidentClock.extend({ cycle: z.number().int(), startedAt: instant }).nullable(),
  stateVersion: z.number().int(),
});
export const incidentDetailResponse = incidentResponse
  .extend({
    linkedTickets: z.array(z.object({ id, number: z.string(), subject: z.string(), status: z.enum(TICKET_STATUSES), linkedAt: instant, linkedBy: z.string() })),
    postmortem: postmortemResponse.nullable(),
    sla: incidentState.nullable().meta({ description: "The workflow's live clocks; null when the worker does not answer." }),
  })
  .meta({ id: 'IncidentDetail' });
export const incidentUpdateResponse = z
  .object({ id, incidentId: id, status: z.enum(INCIDENT_STATUSES), body: z.string(), public: z.boolean(), author: z.string(), createdAt: instant })
  .meta({ id: 'IncidentUpdate' });
export const incidentLinkResponse = z.object({ incidentId: id, ticketId: id });
const seconds = z.number().int().nullable();
export const incidentMetricsResponse = z.object({
  from: instant,
  to: instant,
  bySeverity: z.array(
    z.object({
      severity: z.enum(INCIDENT_SEVERITIES),
      incidents: z.number().int(),
      acknowledged: z.number().int(),
      mttaSeconds: seconds,
      medianTtaSeconds: seconds,
      resolved: z.number().int(),
      mttrSeconds: seconds,
      medianTtrSeconds: seconds,
    }),
  ),
});
const ladder = z.array(z.object({ percent: z.number(), actions: z.array(json) }));
export const incidentPolicyResponse = z
  .object({
    severity: z.enum(INCIDENT_SEVERITIES),
    acknowledgeMinutes: z.number().int(),
    resolveMinutes: z.number().int(),
    calendarId: id.nullable(),
    acknowledgementEscalations: ladder,
    resolutionEscalations: ladder,
    postmortemRequired: z.boolean(),
    postmortemReminderHours: z.array(z.number()),
    solveLinkedTickets: z.boolean(),
    updateEveryMinutes: z.number().int().nullable(),
    updateEscalations: ladder,
    updatedAt: instant,
  })
  .meta({ id: 'IncidentPolicy' });

export const componentResponse = z
  .object({
    id,
    name: z.string(),
    group: z.string().nullable(),
    description: z.string().nullable(),
    position: z.number().int(),
    status: z.enum(COMPONENT_STATUSES),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Component' });

const rankedName = z.object({ name: z.string(), label: z.string(), rank: z.number().int() });
export const tierList = z.object({ data: z.array(rankedName.meta({ id: 'Tier' })) });
export const priorityList = z.object({ data: z.array(rankedName.meta({ id: 'Priority' })) });

const organization = { id, name: z.string(), tier: z.string(), emailDomains: z.array(z.string()), createdAt: instant, updatedAt: instant };
export const organizationResponse = z.object(organization).meta({ id: 'Organization' });
export const organizationPatchResponse = z
  .object({ ...organization, retargetedTickets: z.number().int().meta({ description: 'open tickets whose clocks moved to the new tier' }) })
  .meta({ id: 'OrganizationPatched' });

// A window is a [from, to] pair; said as a two-item array (schemathesis 4.32 mishandles prefixItems in responses).
const day = z.array(z.array(z.string()).length(2));
export const calendarResponse = z
  .object({
    id,
    name: z.string(),
    timezone: z.string(),
    weekly: z.object({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }),
    holidays: z.array(z.iso.date()),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Calendar' });

export const slaPolicyResponse = z
  .object({
    id,
    name: z.string(),
    tier: z.string(),
    priority: z.enum(PRIORITIES),
    calendarId: id,
    firstResponseMinutes: z.number().int().nullable(),
    resolutionMinutes: z.number().int().nullable(),
    pauseOn: z.array(z.enum(TICKET_STATUSES)),
    escalations: ladder,
    autoCloseDays: z.number().int(),
    pauseOnIncident: z.boolean(),
    nextReplyMinutes: z.number().int().nullable(),
    nextReplyEscalations: ladder,
    updateEveryMinutes: z.number().int().nullable(),
    updateEscalations: ladder,
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'SlaPolicy' });

const webhook = { id, url: z.string(), eventTypes: z.array(z.string()), active: z.boolean(), createdAt: instant };
export const webhookResponse = z.object(webhook).meta({ id: 'WebhookSubscription' });
export const webhookCreatedResponse = z
  .object({ ...webhook, secret: z.string().meta({ description: 'the signing secret, shown once' }) })
  .meta({ id: 'WebhookSubscriptionCreated' });

const apiKey = { id, name: z.string(), role: z.enum(ROLES), organizationId: id.nullable(), prefix: z.string(), createdAt: instant, revokedAt: at };
export const apiKeyResponse = z.object(apiKey).meta({ id: 'ApiKey' });
export const apiKeyCreatedResponse = z.object({ ...apiKey, key: z.string().meta({ description: 'the key itself, shown once; only its hash is stored' }) }).meta({ id: 'ApiKeyCreated' });

export const userResponse = z
  .object({
    id,
    email: z.string(),
    name: z.string(),
    role: z.enum(USER_ROLES),
    organizationId: id.nullable(),
    timeZone: z.string(),
    disabled: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'User' });

const publicIncident = z.object({
  id,
  number: z.string(),
  title: z.string(),
  severity: z.enum(INCIDENT_SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  createdAt: instant,
  resolvedAt: at,
  components: z.array(z.object({ id, name: z.string(), impact: z.enum(INCIDENT_IMPACTS) })),
  updates: z.array(z.object({ id, status: z.enum(INCIDENT_STATUSES), body: z.string(), createdAt: instant })),
});
export const statusResponse = z
  .object({
    generatedAt: instant,
    status: z.enum(COMPONENT_STATUSES),
    statusLabel: z.string(),
    components: z.array(
      z.object({
        id,
        name: z.string(),
        group: z.string().nullable(),
        description: z.string().nullable(),
        status: z.enum(COMPONENT_STATUSES),
        statusLabel: z.string(),
        uptime: z.object({
          percent: z.number().nullable(),
          days: z.array(z.object({ date: z.iso.date(), uptimePercent: z.number().nullable(), downtimeMinutes: z.number() })),
        }),
      }),
    ),
    activeIncidents: z.array(publicIncident),
    recentIncidents: z.array(publicIncident),
  })
  .meta({ id: 'StatusPage', description: 'The public status page as JSON.' });
export const subscriptionAccepted = z.object({ status: z.literal('accepted'), message: z.string() });

/** A list answer: `{"data": [...]}`. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
