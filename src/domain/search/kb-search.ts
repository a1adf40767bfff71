/**
 * The knowledge base's search, whichever engine answers: Typesense when it is configured and
 * reachable, PostgreSQL full-text search otherwise (or always, with PACER_SEARCH=postgres).
 * A failed Typesense search is answered by PostgreSQL at once, and Typesense is left alone for
 * a few seconds so an outage does not cost every reader a timeout. Synonyms go to both: the
 * database (the fallback reads them there; a reindex copies them) and the live collection.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { SynonymRepository, type Synonym } from '../kb/synonyms';
import { PostgresSearch } from './postgres-search';
import type { ArticleSearch, SearchRequest, SearchResult } from './search-types';
import type { TypesenseIndex } from './typesense-index';
import { callerOfReader, SearchLog, type SearchCaller } from './search-log';

const SKIP_AFTER_FAILURE_MS = 5_000;

export interface SearchHealth {
  /** What answers searches now. */
  engine: 'typesense' | 'postgres';
  typesense: 'up' | 'down' | 'off';
}

export class KbSearch implements ArticleSearch {
  readonly postgres: PostgresSearch;
  readonly synonyms: SynonymRepository;
  readonly searchLog: SearchLog;
  private skipUntil = 0;
  private failing = false;
  private synonymsStale = false;

  constructor(
    db: Kysely<Database>,
    private readonly log: Logger,
    readonly typesense: TypesenseIndex | null,
  ) {
    this.postgres = new PostgresSearch(db);
    this.synonyms = new SynonymRepository(db);
    this.searchLog = new SearchLog(db, log);
  }

  /**
   * Searches and records the search in the log (query, hits, caller kind; the caller defaults to
   * the reader's kind). `false` leaves it out of the log: for searches no person typed as a
   * search, such as suggestions computed while someone writes a ticket.
   */
  async search(req: SearchRequest, logAs: { caller?: SearchCaller } | false = {}): Promise<SearchResult> {
    const result = await this.searchOnce(req);
    if (logAs !== false && req.page === 1) await this.searchLog.record(req.q, result.found, logAs.caller ?? callerOfReader(req.reader));
    return result;
  }

  private async searchOnce(req: SearchRequest): Promise<SearchResult> {
    if (!this.typesense || Date.now() < this.skipUntil) return this.postgres.search(req);
    try {
      const result = await this.typesense.search(req);
      if (this.failing) this.log.info({}, 'knowledge-base search: Typesense answers again');
      this.failing = false;
      if (this.synonymsStale) void this.syncSynonyms();
      return result;
    } catch (err) {
      this.skipUntil = Date.now() + SKIP_AFTER_FAILURE_MS;
      if (!this.failing) this.log.warn({ err: (err as Error).message }, 'knowledge-base search: Typesense failed; answering from PostgreSQL full-text search');
      this.failing = true;
      return this.postgres.search(req);
    }
  }

  async health(): Promise<SearchHealth> {
    if (!this.typesense) return { engine: 'postgres', typesense: 'off' };
    const up = await this.typesense.healthy();
    if (!up) this.skipUntil = Math.max(this.skipUntil, Date.now() + SKIP_AFTER_FAILURE_MS);
    return { engine: up ? 'typesense' : 'postgres', typesense: up ? 'up' : 'down' };
  }

  async putSynonym(s: { id: string; synonyms: string[]; root: string | null }): Promise<Synonym> {
    const saved = await this.synonyms.put(s);
    await this.typesense?.putSynonym(saved).catch((err: unknown) => this.stale(err));
    return saved;
  }

  async deleteSynonym(id: string): Promise<void> {
    await this.synonyms.delete(id);
    await this.typesense?.deleteSynonym(id).catch((err: unknown) => this.stale(err));
  }

  /** Makes the live collection's synonyms those of the database. */
  async syncSynonyms(): Promise<void> {
    if (!this.typesense) return;
    this.synonymsStale = false;
    try {
      const wanted = await this.synonyms.list();
      const present = await this.typesense.client.collections(this.typesense.alias).synonyms().retrieve();
      for (const s of wanted) await this.typesense.putSynonym(s);
      for (const s of present.synonyms) if (!wanted.some((w) => w.id === s.id)) await this.typesense.deleteSynonym(s.id);
    } catch (err) {
      this.stale(err);
    }
  }

  private stale(err: unknown): void {
    this.synonymsStale = true;
    this.log.warn({ err: (err as Error).message }, 'knowledge-base synonyms: Typesense did not take the change; it is applied when Typesense answers again');
  }
}
