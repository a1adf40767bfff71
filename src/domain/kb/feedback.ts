/**
 * What readers tell us about an article: "was this helpful?" (one vote per reader per article;
 * voting again replaces the reader's vote, so a reader who changes their mind is counted once)
 * and how often it is read. A reader key names who voted: a signed-in user, an API key, or an
 * anonymous reader cookie; the HTTP layer decides which.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { isFkViolation } from '../../db/pg-errors';
import { KbNotFound } from './kb-errors';

export interface Vote {
  helpful: boolean;
  comment: string | null;
}

export interface ArticleFeedback {
  helpful: number;
  notHelpful: number;
  views: number;
  /** The asking reader's own vote, if any. */
  yours: Vote | null;
}

export class KbFeedback {
  constructor(private readonly db: Kysely<Database>) {}

  async vote(articleId: string, readerKey: string, vote: Vote): Promise<void> {
    await this.db
      .insertInto('kb_votes')
      .values({ id: crypto.randomUUID(), article_id: articleId, reader_key: readerKey, helpful: vote.helpful, comment: vote.comment })
      .onConflict((oc) => oc.columns(['article_id', 'reader_key']).doUpdateSet({ helpful: vote.helpful, comment: vote.comment, updated_at: new Date() }))
      .execute()
      .catch((err: unknown) => {
        if (isFkViolation(err)) throw new KbNotFound('article');
        throw err;
      });
  }

  /** One more view today; per-day rows let a report ask for "the last 30 days". */
  async countView(articleId: string): Promise<void> {
    await this.db
      .insertInto('kb_article_views')
      .values({ article_id: articleId, day: sql<string>`current_date`, views: 1 })
      .onConflict((oc) => oc.columns(['article_id', 'day']).doUpdateSet({ views: sql<number>`kb_article_views.views + 1` }))
      .execute();
  }

  async of(articleId: string, readerKey: string | null): Promise<ArticleFeedback> {
    const [votes, views, yours] = await Promise.all([
      this.db
        .selectFrom('kb_votes')
        .select([sql<string>`count(*) filter (where helpful)`.as('yes'), sql<string>`count(*) filter (where not helpful)`.as('no')])
        .where('article_id', '=', articleId)
        .executeTakeFirstOrThrow(),
      this.db.selectFrom('kb_article_views').select(sql<string>`coalesce(sum(views), 0)`.as('views')).where('article_id', '=', articleId).executeTakeFirstOrThrow(),
      readerKey === null ? undefined : this.db.selectFrom('kb_votes').select(['helpful', 'comment']).where('article_id', '=', articleId).where('reader_key', '=', readerKey).executeTakeFirst(),
    ]);
    return { helpful: Number(votes.yes), notHelpful: Number(votes.no), views: Number(views.views), yours: yours ?? null };
  }
}
