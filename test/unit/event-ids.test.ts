/**
 * Event ids are idempotency keys: the primary key of every timeline row in PostgreSQL and part
 * of the activity inputs in recorded histories. Each builder must give, byte for byte, the
 * string the code wrote by hand before the builders existed.
 */
import assert from 'node:assert/strict';
import {
  actionEventId,
  createdEventId,
  editCategorizedEventId,
  exclusionEventId,
  firedKeyOfEventId,
  intakeCategorizedEventId,
  manualStepId,
  postmortemReminderEventId,
  postmortemReminderKey,
  refusalEventId,
  stepActionEventId,
  stepEventId,
  stepIdOfEventId,
} from '../../workflows/contract/events';

const TICKET = '5f0c6a2e-8f1d-4c39-9a51-0d6b7e2f4c11';
const ACTION = 'c2d9e0f4-1b7a-4e55-8c3d-6a9f0e1b2c3d';
const STEP = 'first_response:0:80';

describe('event ids', () => {
  it('a created event is `<entity>:created`', () => {
    assert.equal(createdEventId(TICKET), `${TICKET}:created`);
  });

  it("an action's event is `<entity>:<actionId>:<suffix>`", () => {
    assert.equal(actionEventId(TICKET, ACTION, 'comment'), `${TICKET}:${ACTION}:comment`);
    assert.equal(actionEventId(TICKET, ACTION, 'status-solved'), `${TICKET}:${ACTION}:status-solved`);
    assert.equal(actionEventId(TICKET, ACTION, 'link-t1'), `${TICKET}:${ACTION}:link-t1`);
    assert.equal(actionEventId(TICKET, 'auto-close:1764583200000', 'status-closed'), `${TICKET}:auto-close:1764583200000:status-closed`);
    assert.equal(actionEventId(TICKET, `route:${TICKET}:1764583200000`, 'routed'), `${TICKET}:route:${TICKET}:1764583200000:routed`);
    assert.equal(actionEventId(TICKET, `release:${TICKET}:${ACTION}:1764583200000`, 'routing-released'), `${TICKET}:release:${TICKET}:${ACTION}:1764583200000:routing-released`);
  });

  it("intake's automatic category is `<ticket>:categorized`, an agent's `<ticket>:<actionId>:categorized`", () => {
    assert.equal(intakeCategorizedEventId(TICKET), `${TICKET}:categorized`);
    assert.equal(editCategorizedEventId(TICKET, ACTION), `${TICKET}:${ACTION}:categorized`);
  });

  it('a refusal is `<entity>:<actionId>:refused`', () => {
    assert.equal(refusalEventId(TICKET, ACTION), `${TICKET}:${ACTION}:refused`);
  });

  it('a fired ladder step is `<entity>:sla:<stepId>`', () => {
    assert.equal(stepEventId(TICKET, STEP), `${TICKET}:sla:${STEP}`);
  });

  it("a step action's outcome is `<entity>:sla:<stepId>:action:<i>`", () => {
    assert.equal(stepActionEventId(TICKET, STEP, 0), `${TICKET}:sla:${STEP}:action:0`);
    assert.equal(stepActionEventId(TICKET, STEP, 12), `${TICKET}:sla:${STEP}:action:12`);
  });

  it('an escalate-now step is `<stepId>:manual:<actionId>`', () => {
    assert.equal(manualStepId(STEP, ACTION), `${STEP}:manual:${ACTION}`);
    assert.equal(stepActionEventId(TICKET, manualStepId(STEP, ACTION), 1), `${TICKET}:sla:${STEP}:manual:${ACTION}:action:1`);
  });

  it('a post-mortem reminder is `<incident>:postmortem-reminder:<n>`, its fired key `postmortem-reminder:<n>`', () => {
    assert.equal(postmortemReminderKey(0), 'postmortem-reminder:0');
    assert.equal(postmortemReminderEventId(TICKET, 2), `${TICKET}:postmortem-reminder:2`);
  });

  it('a breach exclusion is `<ticket>:exclusion:<id>:excluded`, its undo `…:undone`', () => {
    assert.equal(exclusionEventId(TICKET, ACTION, 'excluded'), `${TICKET}:exclusion:${ACTION}:excluded`);
    assert.equal(exclusionEventId(TICKET, ACTION, 'undone'), `${TICKET}:exclusion:${ACTION}:undone`);
  });

  it('reads the step id and the fired key back out of an id', () => {
    assert.equal(stepIdOfEventId(TICKET, stepEventId(TICKET, STEP)), STEP);
    assert.equal(stepIdOfEventId(TICKET, `other:sla:${STEP}`), null);
    assert.equal(firedKeyOfEventId(TICKET, postmortemReminderEventId(TICKET, 1)), 'postmortem-reminder:1');
    assert.equal(firedKeyOfEventId(TICKET, 'other:postmortem-reminder:1'), null);
  });
});
