/**
 * Articles suggested for what someone wrote (a new ticket's subject and description, or a
 * ticket's conversation), and the deflections they earn. Suggestions are searches no person
 * typed, so they stay out of the search log; they go through the reader's own visibility
 * (the same filter every search applies). A suggestion opened from a new-ticket form is a
 * deflection (kb_deflections) until the same form files its ticket after all.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Reader } from '../kb/visibility';
import type { SearchHit, SearchRequest, SearchResult } from './search-types';

export const MAX_SUGGESTIONS = 10;
/** Words searched for, at most: the subject's first, then the description's. */
const MAX_QUERY_WORDS = 8;

// Words that say nothing about the topic of a request; without them the engine ranks what does.
const FILLER = new Set(
  ('a an and are as at be been but by can cannot cant could did do does doesnt dont for from get got had has have hello help hi how i im in ' +
    'is isnt it its me my no not of on or our please problem issue question since so still that the their them then there this to ' +
    'today up us was we were what when where which who why will with wont would you your thanks thank anyone any some someone')
    .split(' '),
);

/** The words worth searching for in a text someone wrote: lowercased, fillers out, each once, subject first. */
export function suggestionQuery(subject: string, description = ''): string {
  const words: string[] = [];
  for (const w of `${subject}\n${description}`.toLowerCase().replace(/['’]/g, '').match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (w.length < 2 || FILLER.has(w) || words.includes(w)) continue;
    words.push(w);
    if (words.length === MAX_QUERY_WORDS) break;
  }
  return words.join(' ');
}

/** What suggestions need of search: KbSearch (Typesense with the fallback) or PostgresSearch. */
export interface SuggestionSearch {
  search(req: SearchRequest, logAs: false): Promise<SearchResult>;
}

export interface WrittenText {
  subject: string;
  description?: string;
}

/** Single words tried after the whole text, when it found too few. */
const SINGLE_WORD_TRIES = 4;

/**
 * Up to `limit` articles for a text: first those matching all its words (best ranked, typos
 * and prefixes as any search), then, while the list is short, those matching its first words
 * one at a time — a request says more than an article's title, so every-word alone finds little.
 */
export async function suggestArticles(search: SuggestionSearch, reader: Reader, text: WrittenText, limit: number): Promise<SearchHit[]> {
  const q = suggestionQuery(text.subject, text.description);
  const perPage = Math.min(limit, MAX_SUGGESTIONS);
  if (!q || perPage < 1) return [];
  const words = q.split(' ');
  const tries = [q, ...(words.length > 1 ? words.slice(0, SINGLE_WORD_TRIES) : [])];
  const hits: SearchHit[] = [];
  for (const one of tries) {
    const result = await search.search({ q: one, reader, page: 1, perPage, loose: true }, false);
    for (const h of result.hits) if (!hits.some((x) => x.articleId === h.articleId)) hits.push(h);
    if (hits.length >= perPage) break;
  }
  return hits.slice(0, perPage);
}

export class Deflections {
  constructor(private readonly db: Kysely<Database>) {}

  /** A reader opened a suggested article from a form's suggestion session; once per article per session. */
  async opened(o: { sessionId: string; articleId: string; readerKey: string; channel: string }): Promise<void> {
    await this.db
      .insertInto('kb_deflections')
      .values({ id: crypto.randomUUID(), article_id: o.articleId, reader_key: o.readerKey, session_id: o.sessionId, channel: o.channel })
      .onConflict((oc) => oc.columns(['session_id', 'article_id']).where('session_id', 'is not', null).doNothing())
      .execute();
  }

  /** The session filed its ticket after all: what it opened did not deflect it. Answers how many rows it settled. */
  async filed(o: { sessionId: string; readerKey: string; ticketId: string }): Promise<number> {
    const res = await this.db
      .updateTable('kb_deflections')
      .set({ ticket_id: o.ticketId })
      .where('session_id', '=', o.sessionId)
      .where('reader_key', '=', o.readerKey)
      .where('ticket_id', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
