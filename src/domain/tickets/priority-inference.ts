/**
 * Infers a priority from a ticket's text when the caller gives none, with the keyword
 * lists from the seed documents. Whole words and phrases only ("errors" matches "error",
 * "download" does not match "down").
 */
import type { Priority } from '../../../workflows/contract/ticket';

export const URGENT_KEYWORDS = ['down', 'outage', 'crash', 'data loss', 'security breach', 'cannot access', 'production'];
export const HIGH_KEYWORDS = ['error', 'bug', 'urgent', 'asap', 'critical', 'important'];

function matcher(words: string[]): RegExp {
  const alternatives = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  // Allow simple inflections (crashes, crashed, errors) but not longer words that merely start the same.
  return new RegExp(`\\b(?:${alternatives.join('|')})(?:s|es|ed|ing)?\\b`, 'i');
}

const URGENT = matcher(URGENT_KEYWORDS);
const HIGH = matcher(HIGH_KEYWORDS);

export function inferPriority(subject: string, description: string): Priority {
  const text = `${subject}\n${description}`;
  if (URGENT.test(text)) return 'urgent';
  if (HIGH.test(text)) return 'high';
  return 'normal';
}
