/** The knowledge base's console pages share one frame: the KB tabs under the main nav, notices from redirects. */
import type { Request } from 'express';
import type { SafeHtml } from './html';
import { sectionPage, type Section } from './section-page';

const KB: Section = {
  nav: 'kb',
  label: 'Knowledge base',
  tabs: [
    ['/console/kb', 'Articles'],
    ['/console/kb/articles/new', 'New article'],
    ['/console/kb/synonyms', 'Synonyms'],
    ['/console/kb/report', 'Report'],
  ],
};

export function kbPage(req: Request, title: string, body: SafeHtml, o: { error?: string | null } = {}): string {
  return sectionPage(req, KB, title, body, o);
}
