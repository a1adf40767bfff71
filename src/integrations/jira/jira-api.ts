/**
 * The few Jira Cloud REST v3 calls Pacer makes, through jira.js 6 (`createCloudClient`).
 * jira.js is ESM-only and this project is CommonJS, so it is loaded with a dynamic import
 * on first use. Retries: a 429 was not carried out, so every call waits out its Retry-After
 * (capped) and tries again; reads also retry 5xx and network failures. Writes do not —
 * whether a failed create took effect is unknown, so it is left to the caller, who looks
 * for the label before creating again. A refusal (other 4xx) is JiraRejected: retrying
 * the same request cannot help.
 */
import type * as JiraJs from 'jira.js/dist/index';
import type { AdfDoc } from './adf';

export interface JiraSettings {
  url: string;
  email: string;
  apiToken: string;
  project: string;
}

export interface JiraIssueRef {
  id: string;
  key: string;
}

export interface NewIssue {
  issueType: string;
  summary: string;
  description: AdfDoc;
  labels: string[];
}

export interface JiraApi {
  /** `<jira url>/browse/<KEY>`: what a person opens. */
  browseUrl(key: string): string;
  /** Issues carrying the label, oldest first. Search lags recent writes. */
  findByLabel(label: string): Promise<JiraIssueRef[]>;
  createIssue(issue: NewIssue): Promise<JiraIssueRef>;
  /** Whether a recent comment on the issue carries Pacer's marker property with this value. */
  hasMarkedComment(key: string, marker: string): Promise<boolean>;
  /** Adds an ADF comment carrying a `pacer` property {marker}, so a retry can tell it was made. */
  addComment(key: string, body: AdfDoc, marker: string): Promise<{ id: string }>;
}

/** Jira refused the request (a 4xx other than 429): the same request will be refused again. */
export class JiraRejected extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: unknown,
  ) {
    super(message);
    this.name = 'JiraRejected';
  }
}

/** No answer, or a gateway timeout: a write may or may not have taken effect. */
export class JiraOutcomeUnknown extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JiraOutcomeUnknown';
  }
}

export interface RetryPolicy {
  attempts: number;
  /** Longest wait honoured for one Retry-After; a longer one is left to the caller's retries. */
  maxWaitMs: number;
  baseDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, maxWaitMs: 10_000, baseDelayMs: 500 };
export const MARKER_PROPERTY = 'pacer';

type JiraModule = typeof JiraJs;
type Cloud = JiraJs.CloudClient;
let jiraModule: Promise<JiraModule> | undefined;
// A variable specifier keeps TypeScript from rewriting the import into require(), which an ESM-only package refuses.
const loadJira = (): Promise<JiraModule> => (jiraModule ??= import('jira.js' as string) as Promise<JiraModule>);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createJiraApi(settings: JiraSettings, retry: Partial<RetryPolicy> = {}): JiraApi {
  const policy = { ...DEFAULT_RETRY, ...retry };
  const base = settings.url.replace(/\/+$/, '');
  let client: Promise<{ jira: JiraModule; cloud: Cloud }> | undefined;
  // Pacer reads only ids and keys back; drift elsewhere in Jira's answers is not worth a warning per call.
  const connect = () =>
    (client ??= loadJira().then((jira) => ({
      jira,
      cloud: jira.createCloudClient({ host: base, auth: { type: 'basic', email: settings.email, apiToken: settings.apiToken }, onSchemaMismatch: 'silent' }),
    })));

  async function call<T>(what: string, safe: boolean, fn: (cloud: Cloud) => Promise<T>): Promise<T> {
    const { jira, cloud } = await connect();
    let delay = policy.baseDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(cloud);
      } catch (err) {
        const last = attempt >= policy.attempts;
        if (jira.isRateLimitError(err)) {
          const wait = err.retryAfterMs ?? delay;
          if (last || wait > policy.maxWaitMs) throw new Error(`Jira rate-limited ${what} (Retry-After ${Math.ceil(wait / 1000)} s)`, { cause: err });
          await sleep(wait);
        } else if (jira.isServerError(err) || jira.isNetworkError(err)) {
          const unknown = jira.isNetworkError(err) || err.status === 502 || err.status === 504;
          if (!safe && unknown) throw new JiraOutcomeUnknown(`${what}: no reliable answer from Jira (${err.message.slice(0, 200)})`, { cause: err });
          if (!safe || last) throw new Error(`${what} failed: Jira unavailable (${err.message.slice(0, 200)})`, { cause: err });
          await sleep(delay);
        } else if (jira.isApiError(err)) {
          throw new JiraRejected(`${what} refused by Jira: HTTP ${err.status}`, err.status, err.body);
        } else {
          throw err;
        }
        delay *= 2;
      }
    }
  }

  return {
    browseUrl: (key) => `${base}/browse/${encodeURIComponent(key)}`,

    async findByLabel(label) {
      const jql = `labels = "${label.replace(/["\\]/g, '\\$&')}" ORDER BY created ASC`;
      const found: JiraIssueRef[] = [];
      let nextPageToken: string | undefined;
      do {
        const page = await call('search by label', true, (c) => c.issueSearch.searchAndReconsileIssuesUsingJqlPost({ jql, fields: ['created', 'labels'], maxResults: 50, nextPageToken }));
        for (const i of page.issues ?? []) if (i.id && i.key) found.push({ id: i.id, key: i.key });
        nextPageToken = page.isLast === false && page.nextPageToken ? page.nextPageToken : undefined;
      } while (nextPageToken && found.length < 500);
      return found;
    },

    async createIssue(issue) {
      const created = await call('create issue', false, (c) =>
        c.issues.createIssue({
          fields: { project: { key: settings.project }, issuetype: { name: issue.issueType }, summary: issue.summary, description: issue.description, labels: issue.labels },
        }),
      );
      return { id: created.id, key: created.key };
    },

    async hasMarkedComment(key, marker) {
      const page = await call('read comments', true, (c) => c.issueComments.getComments({ issueIdOrKey: key, orderBy: '-created', maxResults: 100, expand: 'properties' }));
      return (page.comments ?? []).some((cm) => (cm.properties ?? []).some((p) => p.key === MARKER_PROPERTY && (p.value as { marker?: unknown } | undefined)?.marker === marker));
    },

    async addComment(key, body, marker) {
      const created = await call('add comment', false, (c) => c.issueComments.addComment({ issueIdOrKey: key, body, properties: [{ key: MARKER_PROPERTY, value: { marker } }] }));
      return { id: String(created.id ?? '') };
    },
  };
}
