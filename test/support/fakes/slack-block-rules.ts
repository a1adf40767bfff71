/**
 * The Block Kit limits Slack enforces before it accepts a message (a subset: the blocks Pacer
 * sends): block ids up to 255 characters, section text up to 3000 and at most 10 fields of
 * up to 2000, 1–10 context elements, 1–25 action elements with unique action ids, buttons
 * with plain_text labels up to 75 characters and values up to 2000. The Web API fake
 * answers invalid_blocks when one fails.
 */
export interface SlackText {
  type: 'mrkdwn' | 'plain_text';
  text: string;
}
export interface SlackButton {
  type: 'button';
  text: SlackText;
  action_id: string;
  value: string;
  style?: string;
}
export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text: SlackText;
  fields?: SlackText[];
}
export interface ContextBlock {
  type: 'context';
  block_id?: string;
  elements: SlackText[];
}
export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: SlackButton[];
}
/** The blocks Pacer sends, as the fake stores them once validBlock accepted them. */
export type SlackBlock = SectionBlock | ContextBlock | ActionsBlock;

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null;

/** The block shapes Slack checks before it accepts a message (a subset: what Pacer sends). */
export function validBlock(b: unknown): b is SlackBlock {
  if (!isObject(b) || typeof b.type !== 'string') return false;
  if (b.block_id !== undefined && (typeof b.block_id !== 'string' || b.block_id.length > 255)) return false;
  if (b.type === 'section') return (b.text === undefined || textObject(b.text, 3000)) && (b.fields === undefined || (Array.isArray(b.fields) && b.fields.length <= 10 && b.fields.every((f: unknown) => textObject(f, 2000))));
  if (b.type === 'context') return Array.isArray(b.elements) && b.elements.length >= 1 && b.elements.length <= 10;
  if (b.type === 'actions') {
    if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 25) return false;
    const elements: unknown[] = b.elements;
    const ids = elements.map((e) => (isObject(e) ? e.action_id : undefined));
    if (new Set(ids).size !== ids.length) return false;
    return elements.every((e) => isObject(e) && (e.type !== 'button' || (textObject(e.text, 75) && e.text.type === 'plain_text' && (e.value === undefined || (typeof e.value === 'string' && e.value.length <= 2000)) && (e.action_id === undefined || String(e.action_id).length <= 255))));
  }
  return true;
}

function textObject(t: unknown, max: number): t is SlackText {
  return isObject(t) && (t.type === 'mrkdwn' || t.type === 'plain_text') && typeof t.text === 'string' && t.text.length >= 1 && t.text.length <= max;
}

/** The block at `index`, which must be a valid block of `type` (the test fails otherwise). */
export function blockAt<T extends SlackBlock['type']>(blocks: readonly unknown[], index: number, type: T): Extract<SlackBlock, { type: T }> {
  const b = blocks[index];
  if (!validBlock(b) || b.type !== type) throw new Error(`block ${index} is not a valid ${type} block: ${JSON.stringify(b)}`);
  return b as Extract<SlackBlock, { type: T }>;
}
