/**
 * The Block Kit limits Slack enforces before it accepts a message (a subset: the blocks Pacer
 * sends): block ids up to 255 characters, section text up to 3000 and at most 10 fields of
 * up to 2000, 1–10 context elements, 1–25 action elements with unique action ids, buttons
 * with plain_text labels up to 75 characters and values up to 2000. The Web API fake
 * answers invalid_blocks when one fails.
 */
/** The block shapes Slack checks before it accepts a message (a subset: what Pacer sends). */
export function validBlock(b: any): boolean {
  if (typeof b !== 'object' || b === null || typeof b.type !== 'string') return false;
  if (b.block_id !== undefined && (typeof b.block_id !== 'string' || b.block_id.length > 255)) return false;
  if (b.type === 'section') return (b.text === undefined || textObject(b.text, 3000)) && (b.fields === undefined || (Array.isArray(b.fields) && b.fields.length <= 10 && b.fields.every((f: unknown) => textObject(f, 2000))));
  if (b.type === 'context') return Array.isArray(b.elements) && b.elements.length >= 1 && b.elements.length <= 10;
  if (b.type === 'actions') {
    if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 25) return false;
    const ids = b.elements.map((e: any) => e.action_id);
    if (new Set(ids).size !== ids.length) return false;
    return b.elements.every((e: any) => e.type !== 'button' || (textObject(e.text, 75) && e.text.type === 'plain_text' && (e.value === undefined || (typeof e.value === 'string' && e.value.length <= 2000)) && (e.action_id === undefined || String(e.action_id).length <= 255)));
  }
  return true;
}

function textObject(t: any, max: number): boolean {
  return typeof t === 'object' && t !== null && (t.type === 'mrkdwn' || t.type === 'plain_text') && typeof t.text === 'string' && t.text.length >= 1 && t.text.length <= max;
}
