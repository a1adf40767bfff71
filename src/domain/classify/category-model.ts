/**
 * A naive Bayes model of ticket categories (wink-naive-bayes-text-classifier: counts of words
 * per category, nothing downloaded, nothing stored but what it learned here). Trained from
 * labelled texts in one pass; training is linear in the examples and cheap (bench:classify
 * times it), so a correction is learned by training again rather than by patching counts.
 */
import naiveBayes from 'wink-naive-bayes-text-classifier';
import { tokenize } from './text-tokens';

export interface LabelledText {
  text: string;
  category: string;
}

export interface CategoryGuess {
  category: string;
  /**
   * 0..1: the winner's one-against-the-rest probability as a share of all categories' (the
   * library's odds are one category against all others, so they do not sum to one; a lone
   * winner's own probability is close to 1 for nearly every text and says little, the share
   * falls when two categories both look likely). Measured on bench:classify: automatic
   * choices at 0.9 are right far more often than the model's answers overall.
   */
  confidence: number;
}

export interface TrainOptions {
  /** A category with fewer examples is left out: two examples teach the model nothing it can be trusted with. */
  minExamplesPerCategory: number;
}

export class CategoryModel {
  private constructor(
    private readonly nb: ReturnType<typeof naiveBayes>,
    /** The examples each category was trained on. */
    readonly examplesPerCategory: Readonly<Record<string, number>>,
    readonly vocabulary: number,
  ) {}

  /** Null when the examples cannot make a model: fewer than two categories with enough examples, or too few words. */
  static train(examples: readonly LabelledText[], options: TrainOptions): CategoryModel | null {
    const counts = new Map<string, number>();
    for (const e of examples) counts.set(e.category, (counts.get(e.category) ?? 0) + 1);
    const kept = new Set([...counts].filter(([, n]) => n >= options.minExamplesPerCategory).map(([c]) => c));
    if (kept.size < 2) return null;
    const nb = naiveBayes();
    // Presence, not counts: a ticket that says "invoice" five times is no more about billing.
    // Add-one smoothing: the best of 0.1, 0.5 and 1, with and without presence, on bench:classify.
    nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: 1 });
    const perCategory: Record<string, number> = {};
    for (const e of examples) {
      if (!kept.has(e.category)) continue;
      const tokens = tokenize(e.text);
      if (!tokens.length) continue;
      nb.learn(tokens, e.category);
      perCategory[e.category] = (perCategory[e.category] ?? 0) + 1;
    }
    if (Object.keys(perCategory).length < 2) return null;
    try {
      nb.consolidate();
    } catch {
      // "vocabulary is too small": not enough words to learn from yet.
      return null;
    }
    return new CategoryModel(nb, perCategory, nb.stats().vocabulary);
  }

  /** The likeliest category, or null when the text has no word the model knows. */
  predict(text: string): CategoryGuess | null {
    const tokens = tokenize(text);
    if (!tokens.length) return null;
    const odds = this.nb.computeOdds(tokens);
    const best = odds[0];
    if (!best || !(best[0] in this.examplesPerCategory)) return null;
    // log2 odds -> probability per category, then the winner's share.
    const p = odds.map(([, o]) => 1 / (1 + 2 ** -o));
    const share = p[0]! / p.reduce((a, b) => a + b, 0);
    return { category: best[0], confidence: Math.round(Math.min(share, 0.9999) * 10_000) / 10_000 };
  }
}
