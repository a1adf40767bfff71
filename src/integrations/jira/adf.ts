/**
 * Atlassian Document Format, the only body Jira Cloud REST v3 takes for descriptions and
 * comments (jira.js 6 sends a plain string to the v2 API instead). Small builders for the
 * few node types Pacer writes; they never emit an empty text node, which Jira rejects.
 */

// Type aliases rather than interfaces: jira.js types bodies as records, which interfaces do not satisfy.
export type AdfMark = {
  type: 'strong' | 'em' | 'code' | 'link';
  attrs?: { href: string };
};

export type AdfNode = {
  type: string;
  text?: string;
  marks?: AdfMark[];
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
};

export type AdfDoc = {
  type: 'doc';
  version: 1;
  content: AdfNode[];
};

export function doc(...content: AdfNode[]): AdfDoc {
  return { type: 'doc', version: 1, content: content.length ? content : [paragraph()] };
}

/** Inline pieces: strings become text nodes, empty ones are dropped. */
export function paragraph(...inline: Array<AdfNode | string>): AdfNode {
  const content = inline.map((i) => (typeof i === 'string' ? text(i) : i)).filter((n): n is AdfNode => n !== null);
  return content.length ? { type: 'paragraph', content } : { type: 'paragraph' };
}

export function text(value: string, marks?: AdfMark[]): AdfNode | null {
  if (value === '') return null;
  return marks?.length ? { type: 'text', text: value, marks } : { type: 'text', text: value };
}

export function strong(value: string): AdfNode | string {
  return text(value, [{ type: 'strong' }]) ?? '';
}

export function link(value: string, href: string): AdfNode | string {
  return text(value, [{ type: 'link', attrs: { href } }]) ?? '';
}

export function heading(level: 1 | 2 | 3 | 4 | 5 | 6, value: string): AdfNode {
  const t = text(value);
  return { type: 'heading', attrs: { level }, ...(t && { content: [t] }) };
}

export function bulletList(items: Array<Array<AdfNode | string>>): AdfNode {
  return { type: 'bulletList', content: items.map((inline) => ({ type: 'listItem', content: [paragraph(...inline)] })) };
}

/** Free text as paragraphs: blank lines split paragraphs, single newlines become hard breaks. */
export function plainText(value: string): AdfNode[] {
  const blocks = value.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  return blocks.map((block) => {
    const inline: AdfNode[] = [];
    block.split('\n').forEach((line, i) => {
      if (i > 0) inline.push({ type: 'hardBreak' });
      const t = text(line);
      if (t) inline.push(t);
    });
    return { type: 'paragraph', content: inline };
  });
}
