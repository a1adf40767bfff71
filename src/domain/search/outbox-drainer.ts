/**
 * Carries article changes from the database to Typesense. Each change left a row in
 * kb_search_outbox in its own transaction; the drainer takes a batch (SKIP LOCKED, so several
 * drainers share the work), upserts every named article's current state (so replaying a row
 * is harmless, and ten edits cost one upsert), and deletes the rows only once Typesense took
 * them all. While Typesense is away the rows wait and the drainer backs off; nothing is lost.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { ArticleRepository } from '../kb/article-repository';
import { reindex } from './reindex';
import { searchDocument } from './search-types';
import type { TypesenseIndex } from './typesense-index';

export interface DrainerOptions {
  batchSize?: number;
  /** How often an idle drainer looks for rows another process wrote. */
  idleMs?: number;
  /** The longest wait between retries while Typesense is down. */
  maxBackoffMs?: number;
}

export class OutboxDrainer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private failures = 0;
  private wakeSoon = false;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly index: TypesenseIndex,
    private readonly log: Logger,
    opts: DrainerOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 200;
    this.idleMs = opts.idleMs ?? 250;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  }

  /** One batch: how many outbox rows it carried. Throws (keeping the rows) when Typesense refuses or is away. */
  async drainOnce(): Promise<number> {
    const outcome = await this.db.transaction().execute(async (tx) => {
      const rows = await tx.selectFrom('kb_search_outbox').select(['id', 'article_id']).orderBy('id').limit(this.batchSize).forUpdate().skipLocked().execute();
      if (rows.length === 0) return { carried: 0 };
      const ids = rows.map((r) => r.id);
      const articles = await new ArticleRepository(tx).findMany([...new Set(rows.map((r) => r.article_id))]);
      try {
        await this.index.upsert(articles.map(searchDocument));
      } catch (error) {
        // The rows stay, counted, for the next attempt.
        await tx.updateTable('kb_search_outbox').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', 'in', ids).execute();
        return { carried: 0, error };
      }
      await tx.deleteFrom('kb_search_outbox').where('id', 'in', ids).execute();
      return { carried: rows.length };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.carried;
  }

  /** Drains until the outbox is empty (tests and the reindex use it). */
  async drainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.drainOnce();
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  /** Rows waiting (for /healthz and tests). */
  async pending(): Promise<number> {
    const row = await this.db.selectFrom('kb_search_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** A change was committed in this process: carry it now rather than at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeSoon = true;
      return;
    }
    if (this.failures === 0) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const carried = await this.drainAll();
      if (this.failures > 0) this.log.info({ carried, failedAttempts: this.failures }, 'search outbox drained again after Typesense came back');
      this.failures = 0;
      const again = this.wakeSoon;
      this.wakeSoon = false;
      this.schedule(again ? 0 : this.idleMs);
    } catch (err) {
      this.failures++;
      // A server that lost its collection (a fresh cluster, a wiped data directory) is rebuilt from the database.
      if ((err as { httpStatus?: number }).httpStatus === 404) await reindex(this.db, this.index).catch(() => undefined);
      // One warning per outage, not one per retry.
      if (this.failures === 1) this.log.warn({ err: (err as Error).message }, 'search outbox: Typesense did not take the batch; retrying with backoff');
      this.wakeSoon = false;
      this.schedule(Math.min(this.maxBackoffMs, 250 * 2 ** Math.min(this.failures, 10)));
    }
  }
}
