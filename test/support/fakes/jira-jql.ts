/**
 * The sliver of JQL the Jira fake understands: clauses joined by AND — `labels = "x"`,
 * `labels in ("a", "b")`, `project = KEY`, `key = KEY-1`, `status = Done`,
 * `statusCategory = done` — and an optional `ORDER BY created|key ASC|DESC`. Anything else
 * is a JQL error, as Jira answers with 400.
 */

export interface JqlQuery {
  clauses: Array<{ field: 'labels' | 'project' | 'key' | 'status' | 'statuscategory'; values: string[] }>;
  orderBy: { field: 'created' | 'key'; direction: 'asc' | 'desc' } | null;
}

export interface JqlIssue {
  key: string;
  projectKey: string;
  labels: string[];
  status: string;
  statusCategory: string;
  created: string;
  id: string;
}

const VALUE = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[\w.-]+`;
const CLAUSE = new RegExp(String.raw`^\s*(labels|project|key|status|statusCategory)\s*(=|in)\s*(\((?:\s*(?:${VALUE})\s*,?)+\)|${VALUE})\s*$`, 'i');

const unquote = (v: string) => (/^["']/.test(v) ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

export class JqlError extends Error {}

export function parseJql(jql: string): JqlQuery {
  let where = jql.trim();
  let orderBy: JqlQuery['orderBy'] = null;
  const order = /\s*ORDER\s+BY\s+(created|key)(?:\s+(ASC|DESC))?\s*$/i.exec(where);
  if (order) {
    orderBy = { field: order[1]!.toLowerCase() as 'created' | 'key', direction: (order[2] ?? 'ASC').toLowerCase() as 'asc' | 'desc' };
    where = where.slice(0, order.index);
  }
  if (where === '') throw new JqlError('Error in the JQL Query: the query is empty.');
  const clauses = where.split(/\s+AND\s+/i).map((part) => {
    const m = CLAUSE.exec(part);
    if (!m) throw new JqlError(`Error in the JQL Query: Expecting a supported clause but got '${part.trim()}'.`);
    const field = m[1]!.toLowerCase() as JqlQuery['clauses'][number]['field'];
    const raw = m[3]!;
    const isList = raw.startsWith('(');
    if (isList !== (m[2]!.toLowerCase() === 'in')) throw new JqlError(`Error in the JQL Query: operator '${m[2]}' does not fit '${raw}'.`);
    const values = isList ? [...raw.slice(1, -1).matchAll(new RegExp(VALUE, 'g'))].map((v) => unquote(v[0])) : [unquote(raw)];
    return { field, values };
  });
  return { clauses, orderBy };
}

export function matches(q: JqlQuery, issue: JqlIssue): boolean {
  const lower = (s: string) => s.toLowerCase();
  return q.clauses.every(({ field, values }) => {
    const wanted = values.map(lower);
    if (field === 'labels') return issue.labels.some((l) => wanted.includes(lower(l)));
    if (field === 'project') return wanted.includes(lower(issue.projectKey));
    if (field === 'key') return wanted.includes(lower(issue.key));
    if (field === 'status') return wanted.includes(lower(issue.status));
    return wanted.includes(lower(issue.statusCategory));
  });
}

export function sortIssues<T extends JqlIssue>(issues: T[], q: JqlQuery): T[] {
  const sign = q.orderBy?.direction === 'desc' ? -1 : 1;
  const byKey = (a: T, b: T) => Number(a.id) - Number(b.id);
  const cmp = q.orderBy?.field === 'created' ? (a: T, b: T) => a.created.localeCompare(b.created) || byKey(a, b) : byKey;
  return [...issues].sort((a, b) => sign * cmp(a, b));
}
