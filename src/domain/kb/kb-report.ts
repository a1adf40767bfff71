/**
 * The knowledge-base report over a window of days: searches that found nothing (what to
 * write next), the most viewed articles, the least helpful ones (a rewrite queue: the lowest
 * share of "yes" among articles with enough votes to mean something) and deflections (a
 * reader opened a suggested article and did not file the ticket; kb_deflections, written by
 * the suggestion side). Every list names an article by its newest title.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export interface KbReportOptions {
  days: number;
  /** Votes an article needs before its ratio ranks it in the rewrite queue. */
  minVotes: number;
  limit: number;
}

export interface NoHitSearch {
  query: string;
  searches: number;
  lastAt: Date;
  callers: string[];
}
export interface ArticleLine {
  articleId: string;
  title: string;
  state: string;
}
export interface ViewedArticle extends ArticleLine {
  views: number;
}
export interface UnhelpfulArticle extends ArticleLine {
  helpful: number;
  notHelpful: number;
  /** helpful / (helpful + notHelpful), 0..1. */
  ratio: number;
  /** The newest comments left with a "no". */
  comments: string[];
}
export interface DeflectingArticle extends ArticleLine {
  deflections: number;
}

export interface KbReport {
  since: Date;
  totals: { searches: number; noHitSearches: number; views: number; votes: number; deflections: number };
  noHits: NoHitSearch[];
  mostViewed: ViewedArticle[];
  leastHelpful: UnhelpfulArticle[];
  deflections: DeflectingArticle[];
}

export async function kbReport(db: Kysely<Database>, o: KbReportOptions): Promise<KbReport> {
  const since = new Date(Date.now() - o.days * 86_400_000);
  const sinceDay = since.toISOString().slice(0, 10);
  const title = sql<string>`(select r.title from kb_revisions r where r.id = a.latest_revision_id)`;

  const [totals, noHits, mostViewed, votes, deflections] = await Promise.all([
    sql<{ searches: string; no_hits: string; views: string; votes: string; deflections: string }>`select
        (select count(*) from kb_search_log where created_at >= ${since}) as searches,
        (select count(*) from kb_search_log where created_at >= ${since} and hit_count = 0) as no_hits,
        (select coalesce(sum(views), 0) from kb_article_views where day >= ${sinceDay}::date) as views,
        (select count(*) from kb_votes where updated_at >= ${since}) as votes,
        (select count(*) from kb_deflections where created_at >= ${since} and ticket_id is null) as deflections`.execute(db),
    // The same words typed differently ("Reset  Password", "reset password") are one line.
    db
      .selectFrom('kb_search_log')
      .select([sql<string>`lower(query)`.as('q'), sql<string>`count(*)`.as('n'), sql<Date>`max(created_at)`.as('last_at'), sql<string[]>`array_agg(distinct caller_kind order by caller_kind)`.as('callers')])
      .where('created_at', '>=', since)
      .where('hit_count', '=', 0)
      .groupBy(sql`lower(query)`)
      .orderBy(sql`count(*)`, 'desc')
      .orderBy(sql`max(created_at)`, 'desc')
      .limit(o.limit)
      .execute(),
    db
      .selectFrom('kb_article_views as v')
      .innerJoin('kb_articles as a', 'a.id', 'v.article_id')
      .select(['a.id', 'a.state', title.as('title'), sql<string>`sum(v.views)`.as('views')])
      .where('v.day', '>=', sql<Date>`${sinceDay}::date`)
      .groupBy(['a.id', 'a.state', 'a.latest_revision_id'])
      .orderBy(sql`sum(v.views)`, 'desc')
      .orderBy('a.id')
      .limit(o.limit)
      .execute(),
    db
      .selectFrom('kb_votes as v')
      .innerJoin('kb_articles as a', 'a.id', 'v.article_id')
      .select([
        'a.id',
        'a.state',
        title.as('title'),
        sql<string>`count(*) filter (where v.helpful)`.as('yes'),
        sql<string>`count(*) filter (where not v.helpful)`.as('no'),
        sql<Array<string | null>>`(array_agg(v.comment order by v.updated_at desc) filter (where not v.helpful and v.comment is not null))[1:3]`.as('comments'),
      ])
      .where('v.updated_at', '>=', since)
      .groupBy(['a.id', 'a.state', 'a.latest_revision_id'])
      .having(sql`count(*)`, '>=', o.minVotes)
      .orderBy(sql`count(*) filter (where v.helpful)::float / count(*)`, 'asc')
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('a.id')
      .limit(o.limit)
      .execute(),
    db
      .selectFrom('kb_deflections as d')
      .innerJoin('kb_articles as a', 'a.id', 'd.article_id')
      .select(['a.id', 'a.state', title.as('title'), sql<string>`count(*)`.as('n')])
      .where('d.created_at', '>=', since)
      // A session that opened the article and filed the ticket anyway was not deflected.
      .where('d.ticket_id', 'is', null)
      .groupBy(['a.id', 'a.state', 'a.latest_revision_id'])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('a.id')
      .limit(o.limit)
      .execute(),
  ]);
  const t = totals.rows[0]!;
  return {
    since,
    totals: { searches: Number(t.searches), noHitSearches: Number(t.no_hits), views: Number(t.views), votes: Number(t.votes), deflections: Number(t.deflections) },
    noHits: noHits.map((r) => ({ query: r.q, searches: Number(r.n), lastAt: new Date(r.last_at), callers: r.callers })),
    mostViewed: mostViewed.map((r) => ({ articleId: r.id, title: r.title, state: r.state, views: Number(r.views) })),
    leastHelpful: votes.map((r) => {
      const yes = Number(r.yes);
      const no = Number(r.no);
      return { articleId: r.id, title: r.title, state: r.state, helpful: yes, notHelpful: no, ratio: yes / (yes + no), comments: (r.comments ?? []).filter((c): c is string => c !== null) };
    }),
    deflections: deflections.map((r) => ({ articleId: r.id, title: r.title, state: r.state, deflections: Number(r.n) })),
  };
}
