/**
 * A ticket's language from its text, with tinyld (MIT, its language profiles ship inside the
 * package: nothing is fetched at run time). Null when unsure: routing by language must not
 * send a ticket to the French queue on the strength of "Export to CSV fails".
 */
import { detectAll } from 'tinyld';

/** ISO 639-1 codes the detector may answer; a short list keeps near neighbours (af/nl, la/it) from winning short texts. */
export const DETECTABLE_LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'no', 'fi', 'pl', 'cs', 'tr', 'ru', 'uk', 'ja', 'zh', 'ko', 'ar', 'he', 'hi'];

/** Below this many letters the detector's guess is noise (measured: two-word subjects go wrong). */
const MIN_LETTERS = 20;
/** The winner's score must be this many times the runner-up's. */
const MIN_MARGIN = 1.5;
const MIN_SCORE = 0.05;

export function detectLanguage(text: string, only: readonly string[] = DETECTABLE_LANGUAGES): string | null {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < MIN_LETTERS) return null;
  const ranked = detectAll(text.slice(0, 5_000), { only: [...only] });
  const [first, second] = ranked;
  if (!first || first.accuracy < MIN_SCORE) return null;
  if (second && first.accuracy < second.accuracy * MIN_MARGIN) return null;
  return first.lang;
}
