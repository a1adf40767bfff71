/**
 * What Jira Cloud accepts as an Atlassian Document Format body (descriptions, comments), for
 * the Jira fake: a `doc` of version 1 whose nodes are known ADF types in allowed places,
 * text nodes with non-empty text, known marks (a link with an href), headings of level 1–6.
 * Returns the problems found (empty when the document is valid).
 */

const BLOCKS = new Set(['paragraph', 'heading', 'bulletList', 'orderedList', 'blockquote', 'codeBlock', 'rule', 'panel', 'table', 'mediaSingle', 'expand']);
const INLINE = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard', 'date', 'status']);
const MARKS = new Set(['strong', 'em', 'code', 'link', 'strike', 'underline', 'subsup', 'textColor']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkInline(node: unknown, at: string, problems: string[]): void {
  if (!isObject(node) || typeof node.type !== 'string') return void problems.push(`${at}: not a node`);
  if (!INLINE.has(node.type)) return void problems.push(`${at}: ${node.type} is not an inline node`);
  if (node.type !== 'text') return;
  if (typeof node.text !== 'string' || node.text === '') problems.push(`${at}: a text node needs non-empty text`);
  if (node.marks === undefined) return;
  if (!Array.isArray(node.marks)) return void problems.push(`${at}.marks: not an array`);
  node.marks.forEach((m, i) => {
    if (!isObject(m) || typeof m.type !== 'string' || !MARKS.has(m.type)) problems.push(`${at}.marks[${i}]: unknown mark`);
    else if (m.type === 'link' && (!isObject(m.attrs) || typeof m.attrs.href !== 'string' || m.attrs.href === '')) problems.push(`${at}.marks[${i}]: a link needs attrs.href`);
  });
}

function checkBlock(node: unknown, at: string, problems: string[]): void {
  if (!isObject(node) || typeof node.type !== 'string') return void problems.push(`${at}: not a node`);
  const content = node.content;
  if (content !== undefined && !Array.isArray(content)) return void problems.push(`${at}.content: not an array`);
  const children = (content ?? []) as unknown[];
  switch (node.type) {
    case 'paragraph':
    case 'codeBlock':
      children.forEach((c, i) => checkInline(c, `${at}.content[${i}]`, problems));
      return;
    case 'heading': {
      const level = isObject(node.attrs) ? node.attrs.level : undefined;
      if (typeof level !== 'number' || level < 1 || level > 6) problems.push(`${at}: a heading needs attrs.level 1–6`);
      children.forEach((c, i) => checkInline(c, `${at}.content[${i}]`, problems));
      return;
    }
    case 'bulletList':
    case 'orderedList':
      if (children.length === 0) problems.push(`${at}: a list needs items`);
      children.forEach((item, i) => {
        if (!isObject(item) || item.type !== 'listItem' || !Array.isArray(item.content) || item.content.length === 0) problems.push(`${at}.content[${i}]: a list holds non-empty listItems`);
        else item.content.forEach((c, j) => checkBlock(c, `${at}.content[${i}].content[${j}]`, problems));
      });
      return;
    case 'blockquote':
    case 'panel':
    case 'expand':
      children.forEach((c, i) => checkBlock(c, `${at}.content[${i}]`, problems));
      return;
    default:
      if (!BLOCKS.has(node.type)) problems.push(`${at}: ${node.type} is not a block node`);
  }
}

export function adfProblems(value: unknown): string[] {
  if (!isObject(value)) return ['not an Atlassian Document (expected an object, got ' + (Array.isArray(value) ? 'an array' : typeof value) + ')'];
  const problems: string[] = [];
  if (value.type !== 'doc') problems.push('type must be "doc"');
  if (value.version !== 1) problems.push('version must be 1');
  if (!Array.isArray(value.content)) problems.push('content must be an array');
  else value.content.forEach((n, i) => checkBlock(n, `content[${i}]`, problems));
  return problems;
}

/** The plain text of a document, for assertions. */
export function adfText(value: unknown): string {
  if (!isObject(value)) return '';
  if (value.type === 'text' && typeof value.text === 'string') return value.text;
  if (value.type === 'hardBreak') return '\n';
  const inner = Array.isArray(value.content) ? value.content.map(adfText) : [];
  const isBlock = value.type !== 'text' && value.type !== 'doc' && !INLINE.has(String(value.type)) && value.type !== 'listItem';
  return inner.join('') + (isBlock ? '\n' : '');
}

/** The link targets of a document, for assertions. */
export function adfLinks(value: unknown): string[] {
  if (!isObject(value)) return [];
  const own = Array.isArray(value.marks) ? value.marks.filter((m) => isObject(m) && m.type === 'link' && isObject(m.attrs)).map((m) => String((m as { attrs: { href: unknown } }).attrs.href)) : [];
  return [...own, ...(Array.isArray(value.content) ? value.content.flatMap(adfLinks) : [])];
}
