/**
 * A readable difference between two revisions: the title and keywords word by word, the body
 * line by line (as parts an editor can colour) and as a unified patch.
 */
import { createTwoFilesPatch, diffArrays, diffLines, diffWords } from 'diff';
import type { Revision } from './article-repository';

export interface DiffPart {
  op: 'equal' | 'added' | 'removed';
  text: string;
}

export interface RevisionDiff {
  from: number;
  to: number;
  title: DiffPart[];
  body: DiffPart[];
  keywords: { added: string[]; removed: string[] };
  unified: string;
}

const parts = (changes: Array<{ added?: boolean; removed?: boolean; value: string }>): DiffPart[] => changes.map((c) => ({ op: c.added ? 'added' : c.removed ? 'removed' : 'equal', text: c.value }));

export function diffRevisions(from: Revision, to: Revision): RevisionDiff {
  const keywordChanges = diffArrays(from.keywords, to.keywords);
  return {
    from: from.number,
    to: to.number,
    title: parts(diffWords(from.title, to.title)),
    body: parts(diffLines(from.body, to.body)),
    keywords: {
      added: keywordChanges.filter((c) => c.added).flatMap((c) => c.value).filter((k) => !from.keywords.includes(k)),
      removed: keywordChanges.filter((c) => c.removed).flatMap((c) => c.value).filter((k) => !to.keywords.includes(k)),
    },
    unified: createTwoFilesPatch(`revision ${from.number}`, `revision ${to.number}`, withNewline(from.body), withNewline(to.body), from.title, to.title),
  };
}

const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
