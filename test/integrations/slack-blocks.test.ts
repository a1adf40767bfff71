/**
 * The escalation message's Block Kit as pure functions: the SLA state a step shows (breached
 * from 100%), mrkdwn escaping of what customers type, the due time in Slack's date syntax,
 * the button value round trip (and junk refused), and the redrawn message without buttons.
 */
import assert from 'node:assert/strict';
import { actedMessage, buttonValue, escalationMessage, parseButtonValue, slaState, type EscalationView } from '../../src/integrations/slack/escalation-blocks';
import { blockAt } from '../support/fakes/slack-block-rules';

const view: EscalationView = {
  ticketId: '6f1c2b9e-4d0a-4c55-9a53-2f7b3c1d8e90',
  number: 'TKT-20261123-0007',
  subject: 'Refunds <script> & "quotes"',
  priority: 'high',
  clock: 'resolution',
  percent: 120,
  dueAt: '2026-11-23T18:00:00.000Z',
  url: 'https://pacer.example.test/api/v1/tickets/6f1c2b9e-4d0a-4c55-9a53-2f7b3c1d8e90',
};

describe('Slack escalation blocks', () => {
  it('says breached from 100% and at risk below', () => {
    assert.equal(slaState(99), 'at risk');
    assert.equal(slaState(100), 'breached');
    const m = escalationMessage(view);
    assert.equal(m.text, 'TKT-20261123-0007 Refunds <script> & "quotes": resolution SLA at 120% (breached)');
    const section = blockAt(m.blocks, 0, 'section');
    assert.equal(section.text.text, `:rotating_light: *<${view.url}|TKT-20261123-0007>* Refunds &lt;script&gt; &amp; "quotes"`);
    assert.deepEqual(
      section.fields?.map((f) => f.text),
      ['*Priority*\nhigh', '*Clock*\nResolution at 120%', `*Due*\n<!date^${Date.parse(view.dueAt!) / 1000}^{date_short_pretty} {time}|${view.dueAt}>`, '*SLA state*\nBreached'],
    );
  });

  it('shows a clock without a due time, and cuts long subjects', () => {
    const m = escalationMessage({ ...view, dueAt: null, subject: 'x'.repeat(1000) });
    const section = blockAt(m.blocks, 0, 'section');
    assert.equal(section.fields?.[2]?.text, '*Due*\nno due time');
    assert.ok(section.text.text.length < 3000, 'within the section text limit');
  });

  it('round-trips the button value and refuses anything else', () => {
    assert.deepEqual(parseButtonValue(buttonValue(view.ticketId, 'first_response')), { ticketId: view.ticketId, clock: 'first_response' });
    for (const junk of [undefined, '', 'nope', '{}', JSON.stringify({ ticket: 'not-a-uuid', clock: 'resolution' }), JSON.stringify({ ticket: view.ticketId, clock: 'lunch' })]) {
      assert.equal(parseButtonValue(junk), null, String(junk));
    }
  });

  it('redraws without buttons and with who acted', () => {
    const m = actedMessage(view, 'Taken by <bob>');
    assert.deepEqual(m.blocks.map((b) => b.type), ['section', 'context']);
    assert.deepEqual(blockAt(m.blocks, 1, 'context').elements, [{ type: 'mrkdwn', text: 'Taken by &lt;bob&gt;' }]);
    assert.deepEqual(m.blocks[0], escalationMessage(view).blocks[0]);
  });
});
