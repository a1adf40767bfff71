/**
 * What a knowledge-base search asks and answers, the same whichever engine answers it
 * (Typesense, or PostgreSQL full-text search as the fallback).
 */
import type { Article } from '../kb/article-repository';
import { markdownToText } from '../kb/markdown';
import { audienceTokens, type Reader } from '../kb/visibility';

export interface SearchRequest {
  q: string;
  reader: Reader;
  categoryId?: string;
  locale?: string;
  page: number;
  perPage: number;
  /**
   * Suggestions from what someone wrote rather than typed as a search: Typesense drops words
   * until it has a page of hits (PostgreSQL already falls back to any word).
   */
  loose?: boolean;
}

export interface SearchHit {
  articleId: string;
  title: string;
  /** HTML: the text escaped, the matched words in <mark>. */
  snippet: string;
  categoryId: string;
  sectionId: string | null;
  locale: string;
  updatedAt: string;
}

export interface SearchResult {
  engine: 'typesense' | 'postgres';
  found: number;
  page: number;
  perPage: number;
  hits: SearchHit[];
  /** Hits per category, over every page. */
  categories: Array<{ categoryId: string; count: number }>;
}

export interface ArticleSearch {
  search(req: SearchRequest): Promise<SearchResult>;
}

/** One article as its search document (id = article id): what the reader would see, with its audience. */
export interface SearchDocument {
  id: string;
  title: string;
  keywords: string[];
  body: string;
  category_id: string;
  section_id: string;
  locale: string;
  state: string;
  audience: string[];
  translation_group_id: string;
  updated_at: number;
  [key: string]: unknown;
}

// Marks a highlight inside engine output; stripped from indexed text so it can mean nothing else.
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';
const stripMarks = (s: string) => s.replace(/[\u0002\u0003]/g, '');

export function searchDocument(article: Article): SearchDocument {
  const shown = article.published ?? article.latest;
  return {
    id: article.id,
    title: stripMarks(shown.title),
    keywords: shown.keywords.map(stripMarks),
    body: stripMarks(markdownToText(shown.body)),
    category_id: article.categoryId,
    section_id: article.sectionId ?? '',
    locale: article.locale,
    state: article.state,
    audience: audienceTokens(article),
    translation_group_id: article.translationGroupId,
    updated_at: Math.floor(article.updatedAt.getTime() / 1000),
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Engine text with highlight marks, as HTML: everything escaped, then the marks become <mark>. */
export function markedToHtml(marked: string): string {
  return marked
    .replace(/[&<>"'`]/g, (c) => ESCAPES[c]!)
    .replaceAll(MARK_START, '<mark>')
    .replaceAll(MARK_END, '</mark>');
}

/** The start of a text, cut at a word, for hits whose body matched nothing (a title or keyword hit). */
export function leadOf(text: string, words = 30): string {
  const parts = text.split(/\s+/).filter(Boolean);
  return parts.slice(0, words).join(' ') + (parts.length > words ? ' …' : '');
}
