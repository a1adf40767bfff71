/**
 * bench:classify — how well the category classifier does, and the keyword lists as the
 * baseline, on the same held-back tickets.
 *
 * The labelled set is generated (bench/classify-corpus.ts says how and why); 20% of each
 * category is held back (stratified, shuffled with a fixed seed), the model trains on the
 * rest exactly as intake's does (CategoryModel.train), and both answer every held-back ticket.
 * Printed: accuracy, per-category precision and recall, what share each threshold would set
 * automatically and how often those automatic choices are right, accuracy with fewer
 * training examples (a young deployment), and the training time.
 *   npm run bench:classify [-- --per-category=150 --seed=15]
 */
import { performance } from 'node:perf_hooks';
import { CORPUS_CATEGORIES, generateCorpus, seededRandom, type CorpusTicket } from './classify-corpus';
import { CategoryModel } from '../src/domain/classify/category-model';
import { keywordCategory } from '../src/domain/classify/category-keywords';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const perCategory = arg('per-category', 150);
const seed = arg('seed', 15);
const HOLD_BACK = 0.2;

function split(all: CorpusTicket[]): { train: CorpusTicket[]; test: CorpusTicket[] } {
  const r = seededRandom(seed + 1);
  const train: CorpusTicket[] = [];
  const test: CorpusTicket[] = [];
  for (const category of CORPUS_CATEGORIES) {
    const mine = all.filter((t) => t.category === category);
    for (let i = mine.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [mine[i], mine[j]] = [mine[j]!, mine[i]!];
    }
    const n = Math.round(mine.length * HOLD_BACK);
    test.push(...mine.slice(0, n));
    train.push(...mine.slice(n));
  }
  return { train, test };
}

const text = (t: CorpusTicket) => `${t.subject}\n${t.description}`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function report(name: string, predictions: Array<{ truth: string; guess: string | null }>): void {
  const right = predictions.filter((p) => p.guess === p.truth).length;
  const answered = predictions.filter((p) => p.guess !== null).length;
  console.log(`\n${name}: accuracy ${pct(right / predictions.length)} (${right}/${predictions.length}); answered ${pct(answered / predictions.length)}`);
  console.log('  category          precision  recall');
  for (const c of CORPUS_CATEGORIES) {
    const guessed = predictions.filter((p) => p.guess === c);
    const actual = predictions.filter((p) => p.truth === c);
    const tp = guessed.filter((p) => p.truth === c).length;
    console.log(`  ${c.padEnd(17)} ${(guessed.length ? pct(tp / guessed.length) : '—').padStart(9)}  ${pct(tp / actual.length).padStart(6)}`);
  }
}

// The honest test: held-back tickets written with subjects and problem sentences the training tickets never use.
const train = generateCorpus(seed, Math.round(perCategory * (1 - HOLD_BACK)), 'seen');
const test = generateCorpus(seed + 1, Math.round(perCategory * HOLD_BACK), 'unseen');
console.log(`corpus: ${train.length + test.length} generated tickets, ${CORPUS_CATEGORIES.length} categories, seed ${seed}; trained on ${train.length}, held back ${test.length} (20% per category, with phrasings kept out of training)`);

const t0 = performance.now();
const model = CategoryModel.train(
  train.map((t) => ({ text: text(t), category: t.category })),
  { minExamplesPerCategory: 5 },
);
const trainMs = performance.now() - t0;
if (!model) throw new Error('the model could not be trained');
const guesses = test.map((t) => ({ t, g: model.predict(text(t)) }));
report('classifier', guesses.map(({ t, g }) => ({ truth: t.category, guess: g?.category ?? null })));
// For comparison, a plain random 80/20 split of one corpus: held-back tickets then share sentences with training ones (optimistic).
{
  const { train: tr, test: te } = split(generateCorpus(seed, perCategory));
  const m = CategoryModel.train(tr.map((t) => ({ text: text(t), category: t.category })), { minExamplesPerCategory: 5 });
  const right = m ? te.filter((t) => m.predict(text(t))?.category === t.category).length : 0;
  console.log(`  (a random stratified split instead, sentences shared with training: ${pct(right / te.length)})`);
}
report('keyword lists (baseline)', test.map((t) => ({ truth: t.category, guess: keywordCategory(text(t))?.category ?? null })));

console.log('\nthreshold  set automatically  right among those  (the rest: suggested)');
for (const th of [0.5, 0.7, 0.8, 0.9, 0.95, 0.99]) {
  const auto = guesses.filter(({ g }) => g && g.confidence >= th);
  const right = auto.filter(({ t, g }) => g!.category === t.category).length;
  console.log(`  ${th.toFixed(2)}     ${pct(auto.length / test.length).padStart(8)}           ${auto.length ? pct(right / auto.length).padStart(6) : '—'}`);
}

console.log('\nfewer examples (per category, same held-back set): accuracy');
for (const n of [5, 10, 25, 50]) {
  const few = CORPUS_CATEGORIES.flatMap((c) => train.filter((t) => t.category === c).slice(0, n));
  const m = CategoryModel.train(few.map((t) => ({ text: text(t), category: t.category })), { minExamplesPerCategory: 5 });
  const right = m ? test.filter((t) => m.predict(text(t))?.category === t.category).length : 0;
  console.log(`  ${String(n).padStart(3)}: ${pct(right / test.length)}`);
}

const big = generateCorpus(seed + 2, 2_000);
const t1 = performance.now();
CategoryModel.train(big.map((t) => ({ text: text(t), category: t.category })), { minExamplesPerCategory: 5 });
console.log(`\ntraining time: ${trainMs.toFixed(0)} ms for ${train.length} examples; ${(performance.now() - t1).toFixed(0)} ms for ${big.length} (the default window is 20,000)`);
