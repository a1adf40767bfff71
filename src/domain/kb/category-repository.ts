/** Categories and the sections inside them: every SQL statement about them. */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, KbCategoryRow, KbSectionRow } from '../../db/schema';
import { KbConflict, KbInvalidReference, KbNotFound } from './kb-errors';
import { isFkViolation, isUniqueViolation } from '../../db/pg-errors';

export interface Category {
  id: string;
  name: string;
  description: string;
  position: number;
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}
export interface Section {
  id: string;
  categoryId: string;
  name: string;
  description: string;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Where an article goes when it names no category; made on first use. */
export const DEFAULT_CATEGORY_NAME = 'General';

const categoryOf = (c: KbCategoryRow): Category => ({ id: c.id, name: c.name, description: c.description, position: c.position, isDefault: c.is_default, createdAt: new Date(c.created_at), updatedAt: new Date(c.updated_at) });
const sectionOf = (s: KbSectionRow): Section => ({ id: s.id, categoryId: s.category_id, name: s.name, description: s.description, position: s.position, createdAt: new Date(s.created_at), updatedAt: new Date(s.updated_at) });

export class CategoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  with(db: Kysely<Database>): CategoryRepository {
    return new CategoryRepository(db);
  }

  async list(): Promise<Category[]> {
    return (await this.db.selectFrom('kb_categories').selectAll().orderBy('position').orderBy('name').execute()).map(categoryOf);
  }

  async find(id: string): Promise<Category | undefined> {
    const row = await this.db.selectFrom('kb_categories').selectAll().where('id', '=', id).executeTakeFirst();
    return row && categoryOf(row);
  }

  /** The default category, created if none is marked default yet (two racing writers end with one). */
  async defaultCategory(): Promise<Category> {
    const existing = await this.db.selectFrom('kb_categories').selectAll().where('is_default', '=', true).executeTakeFirst();
    if (existing) return categoryOf(existing);
    await this.db.insertInto('kb_categories').values({ id: crypto.randomUUID(), name: DEFAULT_CATEGORY_NAME, is_default: true }).onConflict((oc) => oc.doNothing()).execute();
    const row =
      (await this.db.selectFrom('kb_categories').selectAll().where('is_default', '=', true).executeTakeFirst()) ??
      // A category already named "General" that is not the default becomes it.
      (await this.db.updateTable('kb_categories').set({ is_default: true }).where('name', '=', DEFAULT_CATEGORY_NAME).returningAll().executeTakeFirstOrThrow());
    return categoryOf(row);
  }

  async create(c: { name: string; description: string; position: number }): Promise<Category> {
    const row = await this.db
      .insertInto('kb_categories')
      .values({ id: crypto.randomUUID(), name: c.name, description: c.description, position: c.position })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch(this.nameTaken(c.name));
    return categoryOf(row);
  }

  async update(id: string, c: Partial<{ name: string; description: string; position: number }>): Promise<Category> {
    const row = await this.db
      .updateTable('kb_categories')
      .set({ ...c, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
      .catch(this.nameTaken(c.name));
    if (!row) throw new KbNotFound('category');
    return categoryOf(row);
  }

  /** Only an empty category goes: articles are never deleted along with one. */
  async delete(id: string): Promise<void> {
    const result = await this.db
      .deleteFrom('kb_categories')
      .where('id', '=', id)
      .executeTakeFirst()
      .catch((err: unknown) => {
        if (isFkViolation(err)) throw new KbConflict('the category still has sections or articles; move or delete them first');
        throw err;
      });
    if (result.numDeletedRows === 0n) throw new KbNotFound('category');
  }

  async sections(categoryId?: string): Promise<Section[]> {
    let q = this.db.selectFrom('kb_sections').selectAll();
    if (categoryId) q = q.where('category_id', '=', categoryId);
    return (await q.orderBy('position').orderBy('name').execute()).map(sectionOf);
  }

  async section(id: string): Promise<Section | undefined> {
    const row = await this.db.selectFrom('kb_sections').selectAll().where('id', '=', id).executeTakeFirst();
    return row && sectionOf(row);
  }

  async createSection(s: { categoryId: string; name: string; description: string; position: number }): Promise<Section> {
    if (!(await this.find(s.categoryId))) throw new KbInvalidReference('categoryId names no category');
    const row = await this.db
      .insertInto('kb_sections')
      .values({ id: crypto.randomUUID(), category_id: s.categoryId, name: s.name, description: s.description, position: s.position })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch(this.nameTaken(s.name, 'section'));
    return sectionOf(row);
  }

  async updateSection(id: string, s: Partial<{ name: string; description: string; position: number }>): Promise<Section> {
    const row = await this.db
      .updateTable('kb_sections')
      .set({ ...s, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
      .catch(this.nameTaken(s.name, 'section'));
    if (!row) throw new KbNotFound('section');
    return sectionOf(row);
  }

  async deleteSection(id: string): Promise<void> {
    const result = await this.db
      .deleteFrom('kb_sections')
      .where('id', '=', id)
      .executeTakeFirst()
      .catch((err: unknown) => {
        if (isFkViolation(err)) throw new KbConflict('the section still has articles; move them first');
        throw err;
      });
    if (result.numDeletedRows === 0n) throw new KbNotFound('section');
  }

  private nameTaken(name: string | undefined, what = 'category') {
    return (err: unknown): never => {
      if (isUniqueViolation(err)) throw new KbConflict(`a ${what} named "${name ?? ''}" exists${what === 'section' ? ' in that category' : ''}`);
      throw err;
    };
  }
}
