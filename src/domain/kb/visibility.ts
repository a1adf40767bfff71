/**
 * Who may read which article. One rule, applied in three places that must agree: reads from
 * the database, the Typesense filter, and the PostgreSQL fallback's filter.
 *   public         everyone, signed in or not
 *   organizations  staff, and customers of the chosen organizations
 *   agents         staff only: never a customer, never the public help centre
 * Readers other than staff see published articles only.
 */
export const VISIBILITIES = ['public', 'organizations', 'agents'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const ARTICLE_STATES = ['draft', 'published', 'archived'] as const;
export type ArticleState = (typeof ARTICLE_STATES)[number];

export type Reader = { kind: 'staff' } | { kind: 'customer'; organizationId: string | null } | { kind: 'anonymous' };

export const STAFF: Reader = { kind: 'staff' };
export const ANONYMOUS: Reader = { kind: 'anonymous' };

export interface Audienced {
  state: string;
  visibility: string;
  organizationIds: readonly string[];
}

export function canRead(reader: Reader, article: Audienced): boolean {
  if (reader.kind === 'staff') return true;
  if (article.state !== 'published') return false;
  if (article.visibility === 'public') return true;
  if (article.visibility === 'organizations' && reader.kind === 'customer' && reader.organizationId !== null) return article.organizationIds.includes(reader.organizationId);
  return false;
}

/**
 * An article's audience as tokens stored with its search document; a reader's search is
 * filtered to the tokens they hold. Tokens are plain alphanumerics so a filter never needs quoting.
 */
export function audienceTokens(article: Pick<Audienced, 'visibility' | 'organizationIds'>): string[] {
  if (article.visibility === 'public') return ['public'];
  if (article.visibility === 'organizations') return article.organizationIds.map(orgToken);
  return ['agents'];
}

/** The tokens a reader holds; null for staff, who are not filtered by audience. */
export function readerTokens(reader: Reader): string[] | null {
  if (reader.kind === 'staff') return null;
  if (reader.kind === 'customer' && reader.organizationId !== null) return ['public', orgToken(reader.organizationId)];
  return ['public'];
}

const orgToken = (organizationId: string) => `org${organizationId.replace(/-/g, '').toLowerCase()}`;
