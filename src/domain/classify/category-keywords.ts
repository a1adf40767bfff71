/**
 * The keyword fallback, used while the model has too few examples (a cold start) or finds no
 * known word in a ticket. The category names are the seed documents' ticket categories
 * (Technical, Billing, Account, Data, Integration, Performance, Security, Feature Request, Bug
 * Report, General), written as Pacer stores them; the seeds name the categories but give no
 * word lists for them, so these lists are Pacer's own, in the seeds' spirit (seed 004's
 * "payment processing failures" under billing, "CRM sync problems" under integration). Whole
 * words and phrases, simple inflections allowed, as in priority-inference.ts.
 */

export const KEYWORD_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  billing: ['invoice', 'billing', 'billed', 'charge', 'charged', 'refund', 'payment', 'credit card', 'subscription', 'pricing', 'receipt', 'vat', 'plan upgrade', 'overcharge'],
  account: ['password', 'log in', 'login', 'sign in', 'locked out', 'username', 'two-factor', '2fa', 'account access', 'reset link', 'email address change', 'profile'],
  security: ['security', 'vulnerability', 'phishing', 'breach', 'suspicious', 'unauthorized', 'compromised', 'malware', 'leak', 'permissions audit'],
  performance: ['slow', 'latency', 'timeout', 'timed out', 'performance', 'sluggish', 'takes forever', 'lag', 'high load'],
  integration: ['integration', 'webhook', 'sync', 'salesforce', 'slack', 'jira', 'zapier', 'connector', 'oauth', 'api key', 'third-party'],
  data: ['export', 'import', 'csv', 'data loss', 'missing data', 'duplicate records', 'backup', 'restore', 'report numbers', 'gdpr'],
  bug_report: ['bug', 'crash', 'broken', 'error message', 'exception', 'stack trace', 'does not work', "doesn't work", 'glitch', 'regression'],
  feature_request: ['feature request', 'would be nice', 'suggestion', 'could you add', 'please add', 'wish', 'roadmap', 'enhancement', 'it would help'],
  technical: ['outage', 'server', 'deployment', 'configuration', 'dns', 'ssl', 'certificate', 'install', 'database', 'down'],
  general: ['question', 'information', 'how do i', 'documentation', 'contact', 'demo'],
};

function matcher(words: readonly string[]): RegExp {
  const alternatives = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`\\b(?:${alternatives.join('|')})(?:s|es|ed|ing)?\\b`, 'gi');
}

const MATCHERS = Object.entries(KEYWORD_CATEGORIES).map(([category, words]) => ({ category, re: matcher(words) }));

export interface KeywordGuess {
  category: string;
  /**
   * hits of the winner / (all hits + 1): one lone hit is 0.5, so a keyword alone only
   * suggests; a category needs several agreeing words and no rival to reach a high threshold.
   */
  confidence: number;
}

/** The category whose words the text uses most, or null when it uses none (or two tie). */
export function keywordCategory(text: string): KeywordGuess | null {
  const hits = MATCHERS.map(({ category, re }) => ({ category, n: text.match(re)?.length ?? 0 })).filter((h) => h.n > 0);
  if (!hits.length) return null;
  hits.sort((a, b) => b.n - a.n);
  const [first, second] = hits;
  if (!first || (second && second.n === first.n)) return null;
  const total = hits.reduce((s, h) => s + h.n, 0);
  return { category: first.category, confidence: first.n / (total + 1) };
}
