/**
 * The Jira fake's data: issues with their fields, comments and changelog, the three statuses
 * of a simple workflow (To Do, In Progress, Done) and their transitions, shaped as Jira Cloud
 * REST v3 shows them; and the `jira:issue_updated` webhook event Jira sends for a change.
 */

export interface JiraUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
}

export interface FakeComment {
  id: string;
  body: unknown;
  properties: Array<{ key: string; value: unknown }>;
  author: JiraUser;
  created: string;
}

export interface ChangelogEntry {
  id: string;
  author: JiraUser;
  created: string;
  items: Array<{ field: string; fieldtype: string; fieldId: string; from: string | null; fromString: string | null; to: string | null; toString: string | null }>;
}

export interface FakeIssue {
  id: string;
  key: string;
  projectKey: string;
  summary: string;
  description: unknown;
  labels: string[];
  issueType: string;
  statusId: string;
  created: string;
  /** When search starts to see it (the fake's indexing lag). */
  searchableAt: number;
  comments: FakeComment[];
  changelog: ChangelogEntry[];
  /** The whole create request, as received. */
  request: unknown;
}

export const ISSUE_TYPES = [
  { id: '10001', name: 'Task' },
  { id: '10002', name: 'Bug' },
  { id: '10003', name: 'Story' },
  { id: '10004', name: 'Epic' },
];

const CATEGORIES = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

export const STATUSES = [
  { id: '10000', name: 'To Do', category: CATEGORIES.new, transitionId: '11' },
  { id: '10001', name: 'In Progress', category: CATEGORIES.indeterminate, transitionId: '21' },
  { id: '10002', name: 'Done', category: CATEGORIES.done, transitionId: '31' },
];

export function statusOf(id: string) {
  return STATUSES.find((s) => s.id === id) ?? STATUSES[0]!;
}

export function statusView(base: string, id: string) {
  const s = statusOf(id);
  return {
    self: `${base}/rest/api/3/status/${s.id}`,
    description: '',
    iconUrl: `${base}/images/icons/statuses/generic.png`,
    name: s.name,
    id: s.id,
    statusCategory: { self: `${base}/rest/api/3/statuscategory/${s.category.id}`, ...s.category },
  };
}

export function transitionsView(base: string) {
  return STATUSES.map((s) => ({ id: s.transitionId, name: s.name, to: statusView(base, s.id), hasScreen: false, isGlobal: true, isInitial: false, isAvailable: true, isConditional: false, isLooped: false }));
}

export function userView(base: string, u: JiraUser) {
  return { self: `${base}/rest/api/3/user?accountId=${u.accountId}`, accountId: u.accountId, displayName: u.displayName, active: true, timeZone: 'UTC', accountType: 'atlassian', ...(u.emailAddress && { emailAddress: u.emailAddress }) };
}

export function issueFields(base: string, i: FakeIssue): Record<string, unknown> {
  const type = ISSUE_TYPES.find((t) => t.name === i.issueType) ?? ISSUE_TYPES[0]!;
  return {
    summary: i.summary,
    description: i.description ?? null,
    labels: i.labels,
    issuetype: { self: `${base}/rest/api/3/issuetype/${type.id}`, id: type.id, name: type.name, subtask: false },
    project: { self: `${base}/rest/api/3/project/${i.projectKey}`, key: i.projectKey, name: i.projectKey },
    status: statusView(base, i.statusId),
    created: i.created,
    updated: i.changelog.at(-1)?.created ?? i.created,
  };
}

export function issueView(base: string, i: FakeIssue, fields?: string[]) {
  const all = issueFields(base, i);
  const wanted = !fields || fields.includes('*all') || fields.includes('*navigable') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => fields.includes(k)));
  return { expand: '', id: i.id, self: `${base}/rest/api/3/issue/${i.id}`, key: i.key, fields: wanted };
}

export function commentView(base: string, i: FakeIssue, c: FakeComment, withProperties: boolean) {
  return {
    self: `${base}/rest/api/3/issue/${i.id}/comment/${c.id}`,
    id: c.id,
    author: userView(base, c.author),
    body: c.body,
    updateAuthor: userView(base, c.author),
    created: c.created,
    updated: c.created,
    jsdPublic: true,
    ...(withProperties && { properties: c.properties }),
  };
}

/** Moves an issue to a status, recording the change as Jira's changelog does. */
export function moveIssue(i: FakeIssue, statusId: string, by: JiraUser, changelogId: string): ChangelogEntry {
  const from = statusOf(i.statusId);
  const to = statusOf(statusId);
  const entry: ChangelogEntry = {
    id: changelogId,
    author: by,
    created: new Date().toISOString(),
    items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: to.id, toString: to.name }],
  };
  i.statusId = statusId;
  i.changelog.push(entry);
  return entry;
}

/** The webhook event Jira Cloud posts for an issue change (`jira:issue_updated` with its changelog). */
export function issueUpdatedEvent(base: string, i: FakeIssue, change: ChangelogEntry) {
  return {
    timestamp: Date.parse(change.created),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: userView(base, change.author),
    issue: issueView(base, i),
    changelog: { id: change.id, items: change.items },
  };
}
