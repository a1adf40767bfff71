/**
 * Search synonyms that administrators manage. The database holds them (a reindex copies
 * them into the new collection); the search engine is told on every change. Multi-way
 * (every word stands for the others) or one-way (a root stands for the rest).
 */
import type { Kysely } from 'kysely';
import type { Database, KbSynonymRow } from '../../db/schema';
import { KbNotFound } from './kb-errors';

export interface Synonym {
  id: string;
  synonyms: string[];
  root: string | null;
  updatedAt: Date;
}

const synonymOf = (r: KbSynonymRow): Synonym => ({ id: r.id, synonyms: Array.isArray(r.synonyms) ? r.synonyms : (JSON.parse(String(r.synonyms)) as string[]), root: r.root, updatedAt: new Date(r.updated_at) });

export class SynonymRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Synonym[]> {
    return (await this.db.selectFrom('kb_synonyms').selectAll().orderBy('id').execute()).map(synonymOf);
  }

  async put(s: { id: string; synonyms: string[]; root: string | null }): Promise<Synonym> {
    const row = await this.db
      .insertInto('kb_synonyms')
      .values({ id: s.id, synonyms: JSON.stringify(s.synonyms), root: s.root })
      .onConflict((oc) => oc.column('id').doUpdateSet({ synonyms: JSON.stringify(s.synonyms), root: s.root, updated_at: new Date() }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return synonymOf(row);
  }

  async delete(id: string): Promise<void> {
    const result = await this.db.deleteFrom('kb_synonyms').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new KbNotFound('synonym');
  }

  /** Words a query word also stands for: every member of a multi-way set, the members of a one-way set for its root. */
  static expand(word: string, all: readonly Synonym[]): string[] {
    const out = new Set<string>();
    for (const s of all) {
      const members = s.synonyms.map((m) => m.toLowerCase());
      if (s.root === null ? members.includes(word) : s.root.toLowerCase() === word) for (const m of members) out.add(m);
    }
    out.delete(word);
    return [...out];
  }
}
