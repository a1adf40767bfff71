/**
 * Service components CRUD: administrators write, agents read, customers neither; bad input
 * is a 400 naming each field and changes nothing, an unknown id a 404, a duplicate name a 409.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createOrg, detailPaths } from './api-helpers';
import { componentResponse, listOf } from '../../src/http/api/openapi/responses';

describe('API: service components', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let agentKey: string;
  let customerKey: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    agentKey = (await createKey(h, 'agent')).key;
    customerKey = (await createKey(h, 'customer', (await createOrg(h, 'starter')).id)).key;
  });
  after(async () => h?.close());

  const count = async () => Number((await h.database.db.selectFrom('components').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('create with defaults, get, list, patch some fields, delete', async () => {
    const created = await h.api('/api/v1/components', { body: { name: 'API' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const c = bodyOf(created, componentResponse, 201);
    assert.deepEqual({ ...c, id: undefined, createdAt: undefined, updatedAt: undefined }, { id: undefined, name: 'API', group: null, description: null, position: 0, status: 'operational', createdAt: undefined, updatedAt: undefined });
    assert.deepEqual((await h.api(`/api/v1/components/${c.id}`)).body, c);

    const full = bodyOf(await h.api('/api/v1/components', { body: { name: 'Dashboard', group: 'Web', description: 'The web app', position: 2, status: 'degraded' } }), componentResponse, 201);
    assert.equal(full.group, 'Web');
    assert.equal(full.status, 'degraded');
    const list = bodyOf(await h.api('/api/v1/components', { key: agentKey }), listOf(componentResponse)).data.map((x: { name: string }) => x.name);
    assert.ok(list.includes('API') && list.includes('Dashboard'));

    const patched = await h.api(`/api/v1/components/${c.id}`, { method: 'PATCH', body: { status: 'major_outage', group: 'Core' } });
    const patchedBody = bodyOf(patched, componentResponse);
    assert.equal(patchedBody.status, 'major_outage');
    assert.equal(patchedBody.group, 'Core');
    assert.equal(patchedBody.name, 'API', 'a PATCH keeps what it does not name');
    const cleared = bodyOf(await h.api(`/api/v1/components/${c.id}`, { method: 'PATCH', body: { group: null, description: null } }), componentResponse);
    assert.equal(cleared.group, null);

    assert.equal((await h.api(`/api/v1/components/${c.id}`, { method: 'DELETE' })).status, 204);
    assertError(await h.api(`/api/v1/components/${c.id}`), 404, 'not_found');
    assertError(await h.api(`/api/v1/components/${c.id}`, { method: 'DELETE' }), 404, 'not_found');
    assertError(await h.api(`/api/v1/components/${c.id}`, { method: 'PATCH', body: { position: 1 } }), 404, 'not_found');
    assert.equal((await h.api(`/api/v1/components/${full.id}`, { method: 'DELETE' })).status, 204);
  });

  it('rejects bad input with field-level details and changes nothing', async () => {
    const before = await count();
    const bad = await h.api('/api/v1/components', { body: { name: '  ', status: 'down', position: -1, group: 7, colour: 'red' } });
    assertError(bad, 400, 'validation_failed');
    assert.deepEqual(detailPaths(bad).sort(), ['colour', 'group', 'name', 'position', 'status']);
    assertError(await h.api('/api/v1/components', { body: {} }), 400, 'validation_failed');
    assertError(await h.api('/api/v1/components', { body: '{not json' }), 400, 'invalid_json');
    const c = bodyOf(await h.api('/api/v1/components', { body: { name: 'Search' } }), componentResponse, 201);
    const patch = await h.api(`/api/v1/components/${c.id}`, { method: 'PATCH', body: { status: 'fine', position: 1.5 } });
    assertError(patch, 400, 'validation_failed');
    assert.deepEqual(detailPaths(patch).sort(), ['position', 'status']);
    assertError(await h.api(`/api/v1/components/${c.id}`, { method: 'PATCH', body: {} }), 400, 'validation_failed');
    assertError(await h.api('/api/v1/components/not-a-uuid'), 400, 'validation_failed');
    assert.equal(bodyOf(await h.api(`/api/v1/components/${c.id}`), componentResponse).status, 'operational');
    assert.equal(await count(), before + 1);
  });

  it('answers 409 for a duplicate name, on create and on rename', async () => {
    await h.api('/api/v1/components', { body: { name: 'Billing' } });
    const other = bodyOf(await h.api('/api/v1/components', { body: { name: 'Webhooks' } }), componentResponse, 201);
    const before = await count();
    assertError(await h.api('/api/v1/components', { body: { name: 'Billing' } }), 409, 'conflict');
    assertError(await h.api(`/api/v1/components/${other.id}`, { method: 'PATCH', body: { name: 'Billing' } }), 409, 'conflict');
    assert.equal(await count(), before);
    assert.equal(bodyOf(await h.api(`/api/v1/components/${other.id}`), componentResponse).name, 'Webhooks');
  });

  it('lets agents read but not write, customers neither, and nobody in without a key', async () => {
    const c = bodyOf(await h.api('/api/v1/components', { body: { name: 'Mobile' } }), componentResponse, 201);
    assert.equal((await h.api(`/api/v1/components/${c.id}`, { key: agentKey })).status, 200);
    assertError(await h.api('/api/v1/components', { key: agentKey, body: { name: 'Agent-made' } }), 403, 'forbidden');
    assertError(await h.api(`/api/v1/components/${c.id}`, { key: agentKey, method: 'DELETE' }), 403, 'forbidden');
    assertError(await h.api('/api/v1/components', { key: customerKey }), 403, 'forbidden');
    assertError(await h.api('/api/v1/components', { key: null }), 401, 'unauthenticated');
  });
});
