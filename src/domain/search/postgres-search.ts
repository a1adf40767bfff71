/**
 * Knowledge-base search on PostgreSQL full-text search: the fallback while Typesense is
 * unreachable, or the choice with PACER_SEARCH=postgres. It answers in the same shape and
 * follows the same rules: published only, the reader's audiences only, title above keywords
 * above body (tsvector weights A, B, C), the last word as a prefix, admin synonyms, and, as
 * Typesense does, typo tolerance when the exact words find nothing (one typo from 4
 * characters, two from 7), then any word instead of every word.
 */
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema';
import { ArticleRepository } from '../kb/article-repository';
import { SynonymRepository } from '../kb/synonyms';
import type { Reader } from '../kb/visibility';
import { leadOf, markedToHtml, MARK_END, MARK_START, searchDocument, type ArticleSearch, type SearchRequest, type SearchResult } from './search-types';

const MAX_WORDS = 12;
const SNIPPET_WORDS = 24;

export function queryWords(q: string): string[] {
  return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS);
}

/** Optimal string alignment distance (a swap of neighbours is one typo), given up past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j]!;
    prev = cur;
  }
  return prev[b.length]!;
}

const typosAllowed = (word: string) => (word.length >= 7 ? 2 : word.length >= 4 ? 1 : 0);

export class PostgresSearch implements ArticleSearch {
  private readonly articles: ArticleRepository;
  private readonly synonyms: SynonymRepository;

  constructor(private readonly db: Kysely<Database>) {
    this.articles = new ArticleRepository(db);
    this.synonyms = new SynonymRepository(db);
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    const words = queryWords(req.q);
    if (words.length === 0) return this.run(req, null, []);
    const synonyms = await this.synonyms.list();
    let groups = words.map((w) => [w, ...SynonymRepository.expand(w, synonyms)]);
    let result = await this.run(req, groups, words, 'and');
    if (result.found > 0) return result;
    if (words.some((w) => typosAllowed(w) > 0)) {
      groups = await this.withTypos(groups, words);
      result = await this.run(req, groups, words, 'and');
      if (result.found > 0 || words.length === 1) return result;
    }
    return words.length > 1 ? this.run(req, groups, words, 'or') : result;
  }

  /** Each word's group gains the indexed words within its typo budget. */
  private async withTypos(groups: string[][], words: string[]): Promise<string[][]> {
    const lengths = words.filter((w) => typosAllowed(w) > 0).map((w) => w.length);
    const min = Math.min(...lengths) - 2;
    const max = Math.max(...lengths) + 2;
    const rows = await sql<{ word: string }>`
      select distinct word from (select unnest(tsvector_to_array(search_vector)) as word from kb_articles where state = 'published') w
      where length(word) between ${min} and ${max}`.execute(this.db);
    const vocabulary = rows.rows.map((r) => r.word);
    return groups.map((g, i) => {
      const word = words[i]!;
      const budget = typosAllowed(word);
      if (budget === 0) return g;
      return [...new Set([...g, ...vocabulary.filter((v) => editDistance(word, v, budget) <= budget)])];
    });
  }

  private async run(req: SearchRequest, groups: string[][] | null, words: string[], join: 'and' | 'or' = 'and'): Promise<SearchResult> {
    // Words are letters and digits only (queryWords), so quoting them for to_tsquery is safe.
    const tsquery = groups?.map((g, i) => `(${g.map((alt) => `'${alt}'${i === groups.length - 1 ? ':*' : ''}`).join(' | ')})`).join(join === 'and' ? ' & ' : ' | ') ?? null;
    const where = (a: string) => {
      const parts = [sql`${sql.ref(`${a}.state`)} = 'published'`, visibilityFilter(req.reader, a)];
      if (req.categoryId) parts.push(sql`${sql.ref(`${a}.category_id`)} = ${req.categoryId}`);
      if (req.locale) parts.push(sql`${sql.ref(`${a}.locale`)} = ${req.locale}`);
      if (tsquery) parts.push(sql`${sql.ref(`${a}.search_vector`)} @@ to_tsquery('simple', ${tsquery})`);
      return sql.join(parts, sql` and `);
    };
    // Without words every hit ranks alike; a bare 0 in ORDER BY would name a column position.
    const rank = tsquery ? sql`ts_rank(a.search_vector, to_tsquery('simple', ${tsquery}))` : sql`0::real`;
    const page = await sql<{ id: string }>`
      select a.id from kb_articles a where ${where('a')}
      order by ${rank} desc, a.updated_at desc, a.id limit ${req.perPage} offset ${(req.page - 1) * req.perPage}`.execute(this.db);
    const facets = await sql<{ category_id: string; count: string }>`
      select a.category_id, count(*) as count from kb_articles a where ${where('a')} group by a.category_id order by count(*) desc, a.category_id`.execute(this.db);
    const found = facets.rows.reduce((n, r) => n + Number(r.count), 0);
    const byId = new Map((await this.articles.findMany(page.rows.map((r) => r.id))).map((a) => [a.id, a]));
    const terms = groups?.flat() ?? [];
    const prefixes = groups?.[groups.length - 1] ?? [];
    const matches = (w: string) => terms.includes(w) || prefixes.some((p) => w.startsWith(p));
    return {
      engine: 'postgres',
      found,
      page: req.page,
      perPage: req.perPage,
      hits: page.rows.flatMap((r) => {
        const a = byId.get(r.id);
        if (!a) return [];
        const doc = searchDocument(a);
        return [{ articleId: a.id, title: doc.title, snippet: snippet(doc.body, matches, words.length > 0), categoryId: a.categoryId, sectionId: a.sectionId, locale: a.locale, updatedAt: a.updatedAt.toISOString() }];
      }),
      categories: facets.rows.map((f) => ({ categoryId: f.category_id, count: Number(f.count) })),
    };
  }
}

function visibilityFilter(reader: Reader, a: string) {
  if (reader.kind === 'staff') return sql<SqlBool>`true`;
  const org = reader.kind === 'customer' ? reader.organizationId : null;
  if (org === null) return sql<SqlBool>`${sql.ref(`${a}.visibility`)} = 'public'`;
  return sql<SqlBool>`(${sql.ref(`${a}.visibility`)} = 'public' or (${sql.ref(`${a}.visibility`)} = 'organizations' and ${sql.ref(`${a}.organization_ids`)} @> jsonb_build_array(${org}::text)))`;
}

/** A window of the body around its first matching word, matched words marked, as HTML. */
function snippet(body: string, matches: (w: string) => boolean, any: boolean): string {
  // Odd indices are words, even ones what lies between them, so punctuation stays outside a mark.
  const parts = body.split(/([\p{L}\p{N}]+)/u);
  const isMatch = (i: number) => i % 2 === 1 && matches(parts[i]!.toLowerCase());
  const first = any ? parts.findIndex((_p, i) => isMatch(i)) : -1;
  if (first < 0) return markedToHtml(leadOf(body, SNIPPET_WORDS));
  const start = Math.max(0, first - SNIPPET_WORDS);
  const end = Math.min(parts.length, first + SNIPPET_WORDS * 3);
  const marked = parts.slice(start, end).map((p, k) => (isMatch(start + k) ? `${MARK_START}${p}${MARK_END}` : p)).join('');
  return markedToHtml(`${start > 0 ? '… ' : ''}${marked.trim()}${end < parts.length ? ' …' : ''}`);
}
