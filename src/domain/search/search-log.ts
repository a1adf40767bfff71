/**
 * Every knowledge-base search a reader makes, with how many hits it found and who asked
 * (anonymous, customer, agent, admin), so the KB report can list what people look for and
 * do not find. Writing the log never fails a search: a lost row is logged and forgotten.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import type { Reader } from '../kb/visibility';

export const SEARCH_CALLERS = ['anonymous', 'customer', 'agent', 'admin'] as const;
export type SearchCaller = (typeof SEARCH_CALLERS)[number];

/** The caller kind a reader stands for when the caller gave none (staff read as agents). */
export const callerOfReader = (reader: Reader): SearchCaller => (reader.kind === 'staff' ? 'agent' : reader.kind);

// The log keeps what a report can show; a pasted essay is cut, not refused.
const MAX_LOGGED_QUERY = 200;

export class SearchLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
  ) {}

  async record(query: string, hitCount: number, caller: SearchCaller): Promise<void> {
    const q = query.trim().replace(/\s+/g, ' ').slice(0, MAX_LOGGED_QUERY);
    if (!q) return;
    await this.db
      .insertInto('kb_search_log')
      .values({ query: q, hit_count: hitCount, caller_kind: caller })
      .execute()
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'knowledge-base search log: a search was not recorded'));
  }
}
