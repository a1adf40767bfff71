/**
 * A loopback Jira Cloud REST v3 (node:http) for tests and benchmarks, following the public
 * document: Basic auth (email:api token) on every call, 401 otherwise; errors as
 * {errorMessages, errors}; POST /issue (201 {id,key,self}, 400 naming the missing or bad
 * fields, descriptions must be ADF); GET|POST /search/jql with a JQL subset, token paging and
 * an optional indexing lag (a new issue stays unsearchable for a while, as on the real
 * service); issue comments (ADF bodies, properties) and transitions. Faults on demand: the
 * next N matching requests answer 429 with Retry-After or 5xx, or take effect and drop the
 * connection. The REST v2 routes jira.js uses for plain-string bodies are refused. Every
 * request is recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { adfProblems } from './jira-adf-rules';
import { JqlError, matches, parseJql, sortIssues } from './jira-jql';
import {
  ISSUE_TYPES,
  STATUSES,
  commentView,
  issueUpdatedEvent,
  issueView,
  moveIssue,
  statusOf,
  transitionsView,
  type ChangelogEntry,
  type FakeIssue,
  type JiraUser,
} from './jira-issue-model';

export type JiraFault = 429 | 500 | 502 | 503 | 504 | 'drop';

export interface JiraRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** 0 when the connection was dropped. */
  status: number;
  fault?: JiraFault;
}

/** A request's body read as Pacer's create-issue or search body; every field is absent when it was something else. */
export interface SentJiraBody {
  fields?: { project?: { key: string }; issuetype?: { name: string }; summary?: string; description?: unknown; labels?: string[] };
  jql?: string;
}

export function sentBody(r: Pick<JiraRequest, 'body'>): SentJiraBody {
  return typeof r.body === 'object' && r.body !== null ? (r.body as SentJiraBody) : {};
}

/** Jira's error body, `{"errorMessages": [...], "errors": {field: message}}`, read from what a JiraRejected carries. */
export function jiraErrorBody(v: unknown): { errorMessages?: unknown; errors: Record<string, string | undefined> } {
  const o = typeof v === 'object' && v !== null ? (v as { errorMessages?: unknown; errors?: unknown }) : {};
  const errors = typeof o.errors === 'object' && o.errors !== null ? (o.errors as Record<string, string | undefined>) : {};
  return { errorMessages: o.errorMessages, errors };
}

export interface FaultMatch {
  method?: string;
  path?: string | RegExp;
}

export interface JiraFakeOptions {
  email?: string;
  apiToken?: string;
  projects?: string[];
  retryAfterSeconds?: number;
}

export interface JiraCloudFake {
  /** PACER_JIRA_URL: http://127.0.0.1:<port>. */
  url: string;
  email: string;
  apiToken: string;
  project: string;
  requests: JiraRequest[];
  issues: FakeIssue[];
  /** The next requests (matching `match`, if given) fail this way, one fault each, in order. */
  failNext(faults: JiraFault | JiraFault[], match?: FaultMatch): void;
  /** New issues stay out of search results for this long. */
  setIndexLag(ms: number): void;
  issue(key: string): FakeIssue | undefined;
  withLabel(label: string): FakeIssue[];
  /** Someone moves the issue in Jira's UI; returns the webhook event Jira would send. */
  transition(key: string, statusName: string, by: JiraUser): { change: ChangelogEntry; event: ReturnType<typeof issueUpdatedEvent> };
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const err = (status: number, errorMessages: string[], errors: Record<string, string> = {}): Reply => ({ status, body: { errorMessages, errors } });
const NO_ISSUE = err(404, ['Issue does not exist or you do not have permission to see it.']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function startJiraCloudFake(opts: JiraFakeOptions = {}): Promise<JiraCloudFake> {
  const email = opts.email ?? 'pacer-bot@example.com';
  const apiToken = opts.apiToken ?? 'jira-test-token';
  const projects = opts.projects ?? ['PACER'];
  const bot: JiraUser = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Pacer Bot', emailAddress: email };
  const requests: JiraRequest[] = [];
  const issues: FakeIssue[] = [];
  const faults: Array<{ fault: JiraFault; match?: FaultMatch }> = [];
  const counters = new Map<string, number>();
  let lagMs = 0;
  let nextId = 10000;
  let nextChange = 10100;
  let base = '';

  const find = (idOrKey: string) => issues.find((i) => i.key === idOrKey || i.id === idOrKey);
  const takeFault = (method: string, path: string) => {
    const i = faults.findIndex(({ match: m }) => !m || ((!m.method || m.method === method) && (!m.path || (typeof m.path === 'string' ? m.path === path : m.path.test(path)))));
    return i < 0 ? undefined : faults.splice(i, 1)[0]!.fault;
  };

  function createIssue(body: unknown): Reply {
    if (!isObject(body) || !isObject(body.fields)) return err(400, ['Can not deserialize the request: "fields" is required.']);
    const f = body.fields;
    const errors: Record<string, string> = {};
    const project = isObject(f.project) ? String(f.project.key ?? f.project.id ?? '') : '';
    if (!projects.includes(project)) errors.project = 'Specify a valid project ID or key';
    const issuetype = f.issuetype;
    const typeName = isObject(issuetype) ? (issuetype.name ?? ISSUE_TYPES.find((t) => t.id === issuetype.id)?.name) : undefined;
    if (typeName === undefined) errors.issuetype = 'Specify an issue type';
    else if (!ISSUE_TYPES.some((t) => t.name === typeName)) errors.issuetype = 'Specify a valid issue type';
    if (typeof f.summary !== 'string' || f.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (f.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(f.summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
    if (f.description !== undefined && f.description !== null && adfProblems(f.description).length) {
      errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    }
    const labels = f.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || l === '' || /\s/.test(l) || l.length > 255)) errors.labels = 'Labels must be non-empty strings of up to 255 characters without spaces.';
    if (Object.keys(errors).length) return err(400, [], errors);

    const n = (counters.get(project) ?? 0) + 1;
    counters.set(project, n);
    const issue: FakeIssue = {
      id: String(nextId++),
      key: `${project}-${n}`,
      projectKey: project,
      summary: f.summary as string,
      description: f.description ?? null,
      labels: [...new Set(labels as string[])],
      issueType: String(typeName),
      statusId: STATUSES[0]!.id,
      created: new Date().toISOString(),
      searchableAt: Date.now() + lagMs,
      comments: [],
      changelog: [],
      request: body,
    };
    issues.push(issue);
    return { status: 201, body: { id: issue.id, key: issue.key, self: `${base}/rest/api/3/issue/${issue.id}` } };
  }

  function search(params: Record<string, unknown>): Reply {
    let q;
    try {
      q = parseJql(String(params.jql ?? ''));
    } catch (e) {
      if (e instanceof JqlError) return { status: 400, body: { errorMessages: [e.message], errors: {}, warningMessages: [] } };
      throw e;
    }
    const now = Date.now();
    const visible = issues.filter((i) => i.searchableAt <= now).map((issue) => ({ ...issue, issue, status: statusOf(issue.statusId).name, statusCategory: statusOf(issue.statusId).category.key }));
    const hits = sortIssues(visible.filter((i) => matches(q, i)), q).map((i) => i.issue);
    const max = Math.min(Math.max(Number(params.maxResults ?? 50) || 50, 1), 5000);
    const start = params.nextPageToken ? Number(Buffer.from(String(params.nextPageToken), 'base64url').toString()) || 0 : 0;
    const page = hits.slice(start, start + max);
    const rawFields = params.fields ?? ['id'];
    const fields = Array.isArray(rawFields) ? rawFields.map(String) : String(rawFields).split(',');
    const isLast = start + max >= hits.length;
    return { status: 200, body: { issues: page.map((i) => issueView(base, i, fields)), isLast, ...(!isLast && { nextPageToken: Buffer.from(String(start + max)).toString('base64url') }) } };
  }

  function comments(method: string, issue: FakeIssue, body: unknown, query: Record<string, string>): Reply {
    if (method === 'GET') {
      const withProps = (query.expand ?? '').split(',').includes('properties');
      const sorted = query.orderBy?.replace(/^\+/, '') === '-created' ? [...issue.comments].reverse() : issue.comments;
      const startAt = Number(query.startAt ?? 0) || 0;
      const maxResults = Math.min(Number(query.maxResults ?? 5000) || 5000, 5000);
      return { status: 200, body: { startAt, maxResults, total: issue.comments.length, comments: sorted.slice(startAt, startAt + maxResults).map((c) => commentView(base, issue, c, withProps)) } };
    }
    if (!isObject(body) || body.body === undefined || body.body === null) return err(400, [], { comment: 'Comment body can not be empty!' });
    if (adfProblems(body.body).length) return err(400, ['INVALID_INPUT'], { comment: 'Comment body must be an Atlassian Document (see the Atlassian Document Format)' });
    const properties = Array.isArray(body.properties) ? body.properties.filter(isObject).map((p) => ({ key: String(p.key), value: p.value })) : [];
    const c = { id: String(nextId++), body: body.body, properties, author: bot, created: new Date().toISOString() };
    issue.comments.push(c);
    return { status: 201, body: commentView(base, issue, c, false) };
  }

  function transitions(method: string, issue: FakeIssue, body: unknown): Reply {
    if (method === 'GET') return { status: 200, body: { expand: 'transitions', transitions: transitionsView(base) } };
    const id = isObject(body) && isObject(body.transition) ? String(body.transition.id ?? '') : '';
    const to = STATUSES.find((s) => s.transitionId === id);
    if (!to) return err(400, [id ? `Transition id '${id}' is not valid for this issue.` : 'Missing transition id.']);
    moveIssue(issue, to.id, bot, String(nextChange++));
    return { status: 204 };
  }

  function route(method: string, path: string, query: Record<string, string>, body: unknown): Reply {
    if (path.startsWith('/rest/api/2/')) return err(404, ['This fake serves Jira Cloud REST v3 only: send ADF bodies, not strings.']);
    if (path === '/rest/api/3/issue' && method === 'POST') return createIssue(body);
    if (path === '/rest/api/3/search/jql' && (method === 'GET' || method === 'POST')) {
      return search(method === 'GET' ? { ...query, fields: query.fields?.split(',') } : isObject(body) ? body : {});
    }
    const m = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/(comment|transitions))?$/.exec(path);
    if (m) {
      const issue = find(decodeURIComponent(m[1]!));
      if (!issue) return NO_ISSUE;
      if (m[2] === 'comment' && (method === 'GET' || method === 'POST')) return comments(method, issue, body, query);
      if (m[2] === 'transitions' && (method === 'GET' || method === 'POST')) return transitions(method, issue, body);
      if (!m[2] && method === 'GET') return { status: 200, body: issueView(base, issue, query.fields?.split(',') ?? ['*all']) };
    }
    return err(404, [`No route for ${method} ${path}`]);
  }

  const expectedAuth = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      const query = Object.fromEntries(url.searchParams);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text === '' ? undefined : text;
      const entry: JiraRequest = { at: new Date().toISOString(), method, path: url.pathname, query, headers: req.headers, body, status: 0 };
      requests.push(entry);
      const send = (r: Reply) => {
        entry.status = r.status;
        res.writeHead(r.status, { ...(r.body !== undefined && { 'content-type': 'application/json;charset=UTF-8' }), ...r.headers });
        res.end(r.body === undefined ? undefined : JSON.stringify(r.body));
      };
      if (req.headers.authorization !== expectedAuth) return send(err(401, ['You are not authenticated. Authentication required to perform this operation.']));
      if (text !== '') {
        try {
          body = entry.body = JSON.parse(text);
        } catch {
          return send(err(400, ['Unexpected character: the request body is not valid JSON.']));
        }
      }
      const fault = takeFault(method, url.pathname);
      entry.fault = fault;
      if (fault === 429) return send({ ...err(429, ['Rate limit exceeded.']), headers: { 'retry-after': String(opts.retryAfterSeconds ?? 1) } });
      if (typeof fault === 'number') return send(err(fault, ['Internal server error']));
      const reply = route(method, url.pathname, query, body);
      if (fault === 'drop') {
        // The request took effect, but its answer never arrives.
        entry.status = 0;
        return void req.socket.destroy();
      }
      send(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    email,
    apiToken,
    project: projects[0]!,
    requests,
    issues,
    failNext: (f, match) => void (Array.isArray(f) ? f : [f]).forEach((fault) => faults.push({ fault, match })),
    setIndexLag: (ms) => void (lagMs = ms),
    issue: (key) => find(key),
    withLabel: (label) => issues.filter((i) => i.labels.includes(label)),
    transition(key, statusName, by) {
      const issue = find(key);
      const to = STATUSES.find((s) => s.name === statusName);
      if (!issue || !to) throw new Error(`no issue ${key} or status ${statusName}`);
      const change = moveIssue(issue, to.id, by, String(nextChange++));
      return { change, event: issueUpdatedEvent(base, issue, change) };
    },
    async waitFor(probe, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = probe();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(requests.map((r) => [r.method, r.path, r.status]))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
