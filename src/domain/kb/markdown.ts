/**
 * Article bodies are Markdown, rendered with markdown-it with raw HTML off: whatever an author
 * types, the page gets markup markdown-it itself produced, with every text escaped. Its link
 * validator already refuses javascript:, vbscript:, file: and non-image data: URLs; links also
 * get rel="nofollow noopener noreferrer" since authors may link anywhere.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(body: string): string {
  return md.render(body);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' };

/** The words a reader sees, for search indexing and snippets: the rendered page without its markup. */
export function markdownToText(body: string): string {
  return renderMarkdown(body)
    .replace(/<\/(p|h[1-6]|li|pre|blockquote|tr)>|<br\s*\/?>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|#96);/g, (_m, e: string) => ENTITIES[e]!)
    .replace(/&#x?[0-9a-f]+;/gi, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}
