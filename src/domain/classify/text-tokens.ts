/**
 * The words a ticket's text is classified by: lower case, accents folded, split on anything
 * that is not a letter or a digit, short and common words dropped, a plural's "s" cut. Our
 * own few lines rather than a stemmer package: tickets are short, the model only needs the
 * same word to come out the same way in training and in prediction, and this works for every
 * language the tickets arrive in (a stemmer is one language's).
 */

const STOPWORDS = new Set(
  (
    'the a an and or but if of to in on at for from by with without is are was were be been being am it its this that these those ' +
    'i me my we our us you your he she they them their his her there here what which who whom when where why how ' +
    'do does did done doing have has had having can could would should will shall may might must not no yes so as than then too very ' +
    'just also only again still any all some each every more most other such own same into onto over under up down out off about ' +
    'hi hello hey dear thanks thank please regards best team support ticket issue problem help hope kind'
  ).split(' '),
);

/** The tokens of one text, in order (repeats kept: the model counts them). */
export function tokenize(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const out: string[] = [];
  for (const raw of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 2 || STOPWORDS.has(raw) || /^\d+$/.test(raw)) continue;
    // "invoices" and "invoice" are one word to the model; "ss" endings (access, address) stay.
    out.push(raw.length > 3 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw);
  }
  return out;
}
