/** The part of wink-naive-bayes-text-classifier (MIT, no types of its own) Pacer uses, with tokens prepared by text-tokens.ts. */
declare module 'wink-naive-bayes-text-classifier' {
  interface NaiveBayesTextClassifier {
    defineConfig(cfg: { considerOnlyPresence?: boolean; smoothingFactor?: number }): boolean;
    definePrepTasks(tasks: Array<(input: string[]) => string[]>): number;
    learn(tokens: string[], label: string): boolean;
    consolidate(): boolean;
    /** [label, log2 odds of the label against all others], best first; [['unknown', 0]] when no token is known. */
    computeOdds(tokens: string[]): Array<[string, number]>;
    stats(): { labelWiseSamples: Record<string, number>; labelWiseWords: Record<string, number>; vocabulary: number };
  }
  function naiveBayesTextClassifier(): NaiveBayesTextClassifier;
  export = naiveBayesTextClassifier;
}
