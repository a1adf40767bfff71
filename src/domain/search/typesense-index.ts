/**
 * The knowledge base's Typesense collection, through the official client. Readers search an
 * alias; a reindex builds a new collection and moves the alias, so searches never see a gap.
 * Every reader-facing search carries a filter_by that Pacer builds from the reader (never from
 * the request): published only, and for anyone but staff only the audiences they belong to.
 */
import { Client } from 'typesense';
import type { CollectionCreateSchema } from 'typesense/lib/Typesense/Collections';
import type { SearchParams } from 'typesense/lib/Typesense/Documents';
import type { Synonym } from '../kb/synonyms';
import { readerTokens } from '../kb/visibility';
import { leadOf, markedToHtml, MARK_END, MARK_START, type ArticleSearch, type SearchDocument, type SearchRequest, type SearchResult } from './search-types';
import { InvalidInput } from '../../core/errors';

export interface TypesenseIndexOptions {
  url: string;
  apiKey: string;
  /** The alias readers search; collections are named after it. */
  alias: string;
  /** Per request; an unreachable server must fail fast so search can fall back. */
  timeoutSeconds?: number;
}

const FIELDS: CollectionCreateSchema['fields'] = [
  { name: 'title', type: 'string' },
  { name: 'keywords', type: 'string[]' },
  { name: 'body', type: 'string' },
  { name: 'category_id', type: 'string', facet: true },
  { name: 'section_id', type: 'string' },
  { name: 'locale', type: 'string', facet: true },
  { name: 'state', type: 'string' },
  { name: 'audience', type: 'string[]' },
  { name: 'translation_group_id', type: 'string' },
  { name: 'updated_at', type: 'int64' },
];

/** Title above keywords above body. */
const QUERY_BY = 'title,keywords,body';
const QUERY_BY_WEIGHTS = '4,2,1';

// Filter values are quoted with backticks; ids and locales are checked at the edge, and a backtick is refused here too.
const quoted = (v: string) => {
  // A caller's value that slipped past the edge is still the caller's mistake: 400, not 500.
  if (v.includes('`')) throw new InvalidInput('a filter value may not contain a backtick', undefined, 'invalid_filter');
  return `\`${v}\``;
};

export class TypesenseIndex implements ArticleSearch {
  readonly client: Client;
  readonly alias: string;
  private readonly url: string;

  constructor(opts: TypesenseIndexOptions) {
    const u = new URL(opts.url);
    const protocol = u.protocol.replace(':', '');
    this.client = new Client({
      nodes: [{ host: u.hostname, port: Number(u.port || (protocol === 'https' ? 443 : 80)), protocol }],
      apiKey: opts.apiKey,
      connectionTimeoutSeconds: opts.timeoutSeconds ?? 2,
      // Pacer retries through the outbox and falls back to PostgreSQL for reads; the client's own retries would only delay both.
      numRetries: 0,
      logLevel: 'silent',
    });
    this.alias = opts.alias;
    this.url = opts.url.replace(/\/$/, '');
  }

  /** /health answers ok within a second. */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
      return res.ok && ((await res.json()) as { ok?: boolean }).ok === true;
    } catch {
      return false;
    }
  }

  /** Whether the alias points at a collection (false: a fresh server, to be filled by a reindex). */
  async exists(): Promise<boolean> {
    try {
      await this.client.aliases(this.alias).retrieve();
      return true;
    } catch (err) {
      if ((err as { httpStatus?: number }).httpStatus === 404) return false;
      throw err;
    }
  }

  async createCollection(name: string): Promise<void> {
    await this.client.collections().create({ name, fields: FIELDS, default_sorting_field: 'updated_at' });
  }

  /** Upserts a batch; any document the server refuses fails the whole call, so the outbox keeps it. */
  async upsert(docs: SearchDocument[], collection = this.alias): Promise<void> {
    if (docs.length === 0) return;
    const results = await this.client.collections<SearchDocument>(collection).documents().import(docs, { action: 'upsert' });
    const failed = results.filter((r) => !r.success);
    if (failed.length) throw new Error(`Typesense refused ${failed.length} of ${docs.length} documents: ${failed[0]!.error ?? 'no reason given'}`);
  }

  async putSynonym(s: Synonym, collection = this.alias): Promise<void> {
    await this.client.collections(collection).synonyms().upsert(s.id, s.root === null ? { synonyms: s.synonyms } : { synonyms: s.synonyms, root: s.root });
  }

  async deleteSynonym(id: string): Promise<void> {
    try {
      await this.client.collections(this.alias).synonyms(id).delete();
    } catch (err) {
      if ((err as { httpStatus?: number }).httpStatus !== 404) throw err;
    }
  }

  /** The collection the alias points at now, or null. */
  async currentCollection(): Promise<string | null> {
    try {
      return (await this.client.aliases(this.alias).retrieve()).collection_name;
    } catch (err) {
      if ((err as { httpStatus?: number }).httpStatus === 404) return null;
      throw err;
    }
  }

  async pointAliasAt(collection: string): Promise<void> {
    await this.client.aliases().upsert(this.alias, { collection_name: collection });
  }

  async dropCollection(name: string): Promise<void> {
    await this.client.collections(name).delete();
  }

  /** The search Pacer sends for a request: the reader's filter added here, never taken from the request. */
  paramsFor(req: SearchRequest): SearchParams<SearchDocument> {
    const filters = ['state:=published'];
    const tokens = readerTokens(req.reader);
    if (tokens) filters.push(`audience:=[${tokens.join(',')}]`);
    if (req.categoryId) filters.push(`category_id:=${quoted(req.categoryId)}`);
    if (req.locale) filters.push(`locale:=${quoted(req.locale)}`);
    return {
      q: req.q.trim() === '' ? '*' : req.q,
      query_by: QUERY_BY,
      query_by_weights: QUERY_BY_WEIGHTS,
      filter_by: filters.join(' && '),
      facet_by: 'category_id',
      max_facet_values: 100,
      num_typos: 2,
      prefix: true,
      split_join_tokens: 'fallback',
      sort_by: '_text_match:desc,updated_at:desc',
      highlight_fields: 'title,body',
      highlight_start_tag: MARK_START,
      highlight_end_tag: MARK_END,
      highlight_affix_num_tokens: 12,
      snippet_threshold: 30,
      page: req.page,
      per_page: req.perPage,
      ...(req.loose && { drop_tokens_threshold: req.perPage }),
    };
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    const params = this.paramsFor(req);
    const res = await this.client.collections<SearchDocument>(this.alias).documents().search(params, {});
    return {
      engine: 'typesense',
      found: res.found,
      page: req.page,
      perPage: req.perPage,
      hits: (res.hits ?? []).map((h) => {
        const body = h.highlights?.find((x) => x.field === 'body')?.snippet;
        return {
          articleId: h.document.id,
          title: h.document.title,
          snippet: body ? markedToHtml(body) : markedToHtml(leadOf(h.document.body)),
          categoryId: h.document.category_id,
          sectionId: h.document.section_id || null,
          locale: h.document.locale,
          updatedAt: new Date(h.document.updated_at * 1000).toISOString(),
        };
      }),
      categories: (res.facet_counts ?? []).find((f) => f.field_name === 'category_id')?.counts.map((c) => ({ categoryId: c.value, count: c.count })) ?? [],
    };
  }
}
