/**
 * Service credits in the console and the portal, through real sessions: an account manager
 * reads a statement, excludes a breach with the form (the credit drops), prints it without
 * forms and downloads its CSV; an agent reads but cannot exclude; a customer sees its own
 * statements only once the contract shows them, and never another organization's.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { signedIn } from '../kb/console-session';
import { bodyOf, createOrg, createTicket } from './api-helpers';
import { insertEvents } from '../../src/db/repositories/ticket-events';
import { contractResponse } from '../../src/http/api/routes/contracts';
import { periodContaining } from '../../src/domain/contracts/periods';
import { stepEventId } from '../../workflows/contract/events';
import type { Priority } from '../../workflows/contract/ticket';

describe('console and portal: service credit statements', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let org: string;
  let eventId: string;
  const startsOn = () => new Date().toISOString().slice(0, 8) + '01';
  const putContract = (customerVisible: boolean) =>
    h.api(`/api/v1/organizations/${org}/contract`, { method: 'PUT', body: { timezone: 'UTC', currency: 'EUR', fee: '800.00', startsOn: startsOn(), rules: [{ kind: 'per_breach', clock: 'resolution', creditPercent: '5' }], customerVisible } });

  before(async function () {
    this.timeout(180_000);
    h = await startHarness();
    org = (await createOrg(h, 'enterprise')).id;
    const t = await createTicket(h, { priority: 'high', organizationId: org });
    const running = periodContaining({ period: 'monthly', timezone: 'UTC', startsOn: startsOn() }, new Date())!;
    const dueAt = new Date(running.start.getTime() + Math.min(60_000, (Date.now() - running.start.getTime()) / 2)).toISOString();
    eventId = stepEventId(t.id, 'resolution:0:100');
    await insertEvents(h.database.db, t.id, [{ id: eventId, type: 'sla.breached', at: dueAt, actor: 'system:sla', visibility: 'internal', data: { number: t.number, clock: 'resolution', cycle: 0, percent: 100, scheduledAt: dueAt, dueAt, priority: t.priority as Priority } }]);
    bodyOf(await putContract(false), contractResponse);
  });
  after(async () => {
    await h?.close();
  });

  it('a manager excludes a breach from the statement page; the credit drops and the print has no forms', async () => {
    const manager = await signedIn(h, 'manager', 'lee@pacer.test');
    const page = await manager.get(`/console/contracts/${org}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Credit: 40\.00 EUR/);
    const excluded = await manager.post(`/console/contracts/${org}/current/exclude`, { eventId, reason: 'force_majeure', note: 'regional power cut' });
    assert.equal(excluded.status, 303);
    const after = await manager.get(excluded.location!);
    assert.match(after.text, /Credit: 0\.00 EUR/);
    assert.match(after.text, /Force majeure \(manager lee@pacer\.test\): <q>regional power cut<\/q>/);
    const print = await manager.get(`/console/contracts/${org}/print`);
    assert.equal(print.status, 200);
    assert.doesNotMatch(print.text, /<form/);
    const csv = await manager.get(`/console/contracts/${org}/current.csv`);
    assert.match(csv.text, /^section,period,clock/);
    assert.match((await manager.get('/console/contracts')).text, new RegExp(`href="/console/contracts/${org}"`));
  });

  it('an agent reads statements but has no exclude form and is refused a post', async () => {
    const agent = await signedIn(h, 'agent', 'kim@pacer.test');
    const page = await agent.get(`/console/contracts/${org}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /name="reason"/);
    assert.equal((await agent.post(`/console/contracts/${org}/current/exclude`, { eventId, reason: 'duplicate' })).status, 403);
  });

  it('a customer sees its own statements only once the contract shows them; another organization never', async () => {
    const own = await signedIn(h, 'customer', 'ann@customer.test', org);
    const other = await signedIn(h, 'customer', 'bob@other.test', (await createOrg(h, 'enterprise')).id);
    assert.equal((await own.get('/portal/statements')).status, 404);
    bodyOf(await putContract(true), contractResponse);
    const shown = await own.get('/portal/statements');
    assert.equal(shown.status, 200);
    assert.match(shown.text, /Service credits/);
    assert.doesNotMatch(shown.text, /name="reason"/);
    assert.equal((await other.get('/portal/statements')).status, 404);
    assert.equal((await own.get(`/console/contracts/${org}`)).status === 200, false, 'the console is not a customer\'s');
  });
});
