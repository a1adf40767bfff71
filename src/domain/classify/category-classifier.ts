/**
 * Suggests or sets a new ticket's category from its text.
 *
 * The model is a function of the examples in category_examples (tickets an agent categorised,
 * written in the same transaction as the category itself), so it is not stored: each API
 * process trains it at its first use and again when the examples change. That keeps every
 * process agreeing without shipping a model around, survives restarts, and a correction is
 * learned by the next training (the process that took it trains at once; others notice within
 * refreshSeconds). Training is one pass over at most trainingWindow examples (bench:classify
 * times it), done in the background so intake never waits on it after the first time.
 * Until the model can be trained (too few examples), the keyword lists answer.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { DEFAULT_CLASSIFY_SETTINGS, type ClassifySettings } from '../../core/classify-settings';
import { categoryExamplesMark, exampleText, recentCategoryExamples } from '../../db/repositories/category-examples';
import { CategoryModel } from './category-model';
import { KEYWORD_CATEGORIES, keywordCategory } from './category-keywords';

export interface Categorization {
  category: string;
  confidence: number;
  by: 'classifier' | 'keywords';
  /** At or above the threshold: set on the ticket; below: only suggested. */
  automatic: boolean;
}

export interface ClassifierStatus {
  /** What answers now: the trained model, or the keyword lists (cold start). */
  mode: 'classifier' | 'keywords';
  trainedAt: string | null;
  examples: number;
  /** The examples the model was trained on, per category (categories under the minimum are left out). */
  examplesPerCategory: Record<string, number>;
  vocabulary: number;
  autoThreshold: number;
  minExamplesPerCategory: number;
  keywordCategories: string[];
}

interface Trained {
  model: CategoryModel | null;
  at: Date;
  mark: { count: number; newest: Date | null };
  examples: number;
}

export class CategoryClassifier {
  private trained: Trained | null = null;
  private training: Promise<Trained> | null = null;
  private checkedAt = 0;
  private soon: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    readonly settings: ClassifySettings = DEFAULT_CLASSIFY_SETTINGS,
  ) {}

  async categorize(subject: string, description: string): Promise<Categorization | null> {
    // The same text an example keeps (its start, bounded): what the model learned from is what it is asked about, and a long mail costs no more.
    const text = exampleText(subject, description);
    const { model } = await this.current();
    const guess = model?.predict(text);
    if (guess) return { ...guess, by: 'classifier', automatic: guess.confidence >= this.settings.autoThreshold };
    const kw = keywordCategory(text);
    return kw && { ...kw, by: 'keywords', automatic: kw.confidence >= this.settings.autoThreshold };
  }

  /** Trains from the examples now (a correction was recorded, or a test wants it done). */
  async retrain(): Promise<ClassifierStatus> {
    await this.train();
    return this.status();
  }

  /** A correction was recorded: train again shortly (corrections in a burst share one training). */
  retrainSoon(): void {
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.train().catch(() => undefined);
    }, 200);
    this.soon.unref();
  }

  async status(): Promise<ClassifierStatus> {
    const t = await this.current();
    return {
      mode: t.model ? 'classifier' : 'keywords',
      trainedAt: t.at.toISOString(),
      examples: t.examples,
      examplesPerCategory: { ...(t.model?.examplesPerCategory ?? {}) },
      vocabulary: t.model?.vocabulary ?? 0,
      autoThreshold: this.settings.autoThreshold,
      minExamplesPerCategory: this.settings.minExamplesPerCategory,
      keywordCategories: Object.keys(KEYWORD_CATEGORIES),
    };
  }

  private async current(): Promise<Trained> {
    if (!this.trained) return this.training ?? this.train();
    if (Date.now() - this.checkedAt > this.settings.refreshSeconds * 1000) {
      this.checkedAt = Date.now();
      // Another process's corrections: train in the background, answer with the model we have.
      void categoryExamplesMark(this.db)
        .then((mark) => {
          const seen = this.trained?.mark;
          if (!seen || mark.count !== seen.count || mark.newest?.getTime() !== seen.newest?.getTime()) return this.train();
          return undefined;
        })
        .catch(() => undefined);
    }
    return this.trained;
  }

  private train(): Promise<Trained> {
    if (this.training) return this.training;
    this.training = (async () => {
      const mark = await categoryExamplesMark(this.db);
      const examples = await recentCategoryExamples(this.db, this.settings.trainingWindow);
      const trained: Trained = { model: CategoryModel.train(examples, { minExamplesPerCategory: this.settings.minExamplesPerCategory }), at: new Date(), mark, examples: examples.length };
      this.trained = trained;
      this.checkedAt = Date.now();
      return trained;
    })().finally(() => {
      this.training = null;
    });
    return this.training;
  }
}
