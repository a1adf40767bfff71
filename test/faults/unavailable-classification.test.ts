/**
 * Which failures are outages (503 with Retry-After, the client retries) and which are bugs
 * (500): the errors as pg, pg-pool, kysely and the Temporal client really raise them, taken
 * from a real client against a closed port and a real server that goes away.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defineQuery } from '@temporalio/workflow';
import { Pool } from 'pg';
import { isUnavailable } from '../../src/db/unavailable';
import { freePort } from '../support/private-postgres';
import { testDatabaseUrl, testTemporalAddress, testTemporalNamespace } from '../support/env';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('faults: which errors mean a backing service is unavailable', () => {
  it('counts a refused connection to PostgreSQL as unavailable', async () => {
    const pool = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/none`, connectionTimeoutMillis: 1_000 });
    const err = await pool.query('select 1').then(() => null, (e: unknown) => e);
    await pool.end();
    assert.ok(err, 'the query failed');
    assert.equal(isUnavailable(err), true);
  });

  it('counts a pool that waited out its connection timeout as unavailable', async () => {
    const pool = new Pool({ connectionString: testDatabaseUrl(), max: 1, connectionTimeoutMillis: 200 });
    const held = await pool.connect();
    const err = await pool.query('select 1').then(() => null, (e: unknown) => e);
    held.release();
    await pool.end();
    assert.ok(err, 'the second query timed out waiting for a connection');
    assert.equal(isUnavailable(err), true);
  });

  it('counts server shutdown and start-up codes (57P01, 57P03) and connection exceptions (08xxx) as unavailable', () => {
    for (const code of ['57P01', '57P02', '57P03', '08000', '08003', '08006', '53300']) assert.equal(isUnavailable(pgError(code, 'whatever the server said')), true, code);
  });

  it('looks through a wrapped cause', () => {
    assert.equal(isUnavailable(new Error('query failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) })), true);
  });

  it('counts a query on a queue whose workers went away (FAILED_PRECONDITION "no poller seen") as unavailable', () => {
    // The shape the Temporal client raised in a fault run once the queue's last worker had been gone a while
    // (the server says so only after pollers were seen and then stopped, too slow to stage here).
    const grpc = Object.assign(new Error('9 FAILED_PRECONDITION: no poller seen for task queue recently, worker may be down'), { code: 9, details: 'no poller seen for task queue recently, worker may be down' });
    const err = Object.assign(new Error('Failed to query Workflow', { cause: grpc }), { name: 'ServiceError' });
    assert.equal(isUnavailable(err), true);
    assert.equal(isUnavailable(Object.assign(new Error('9 FAILED_PRECONDITION: workflow is not running'), { code: 9 })), false, 'other preconditions stay errors');
  });

  it('counts a query no worker answers in time (a queue never polled) as unavailable', async () => {
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const client = new Client({ connection, namespace: testTemporalNamespace() });
      const handle = await client.workflow.start('ticketWorkflow', { taskQueue: `no-worker-${crypto.randomBytes(4).toString('hex')}`, workflowId: `no-worker-${crypto.randomUUID()}`, args: [] });
      const err = await handle.query(defineQuery('slaInputs')).then(() => null, (e: unknown) => e);
      await handle.terminate('test over');
      assert.match(String((err as Error)?.message), /Failed to query Workflow/);
      assert.equal(isUnavailable(err), true);
    } finally {
      await connection.close();
    }
  });

  it('leaves data and constraint errors, and plain bugs, as internal errors', () => {
    for (const err of [pgError('23505', 'duplicate key value violates unique constraint'), pgError('22P05', 'unsupported Unicode escape sequence'), new TypeError("Cannot read properties of undefined (reading 'id')")]) {
      assert.equal(isUnavailable(err), false, err.message);
    }
  });
});
