/**
 * Text that PostgreSQL can always store (no NUL, no lone surrogate) and of bounded length:
 * what a refusal writes about itself must not be refused in turn. Pure, for workflows and activities.
 */
export function storableText(text: string, max = 300): string {
  const clean = text.replace(/\u0000/g, '\\0').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
