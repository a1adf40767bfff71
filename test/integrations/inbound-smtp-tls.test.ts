/**
 * The inbound SMTP listener's exposure: it binds loopback unless PACER_INBOUND_SMTP_HOST opens
 * it, and offers STARTTLS only when a certificate is configured (files named by
 * PACER_INBOUND_SMTP_TLS_CERT/_KEY). Proven with a raw EHLO, a second loopback address
 * (127.0.0.2 reaches the host but not a socket bound to 127.0.0.1) and nodemailer requiring
 * TLS and verifying the self-signed certificate.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { generate } from 'selfsigned';
import { createLogger } from '../../src/core/logger';
import { loadIntegrationConfig, type IntegrationConfig } from '../../src/integrations/config';
import { startInboundEmail } from '../../src/integrations/email/inbound-server';
import { startHarness, type PacerHarness } from '../support/api-harness';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Connects, says EHLO and returns the capability lines (without the 250 prefix); rejects if the connection is refused. */
function ehlo(host: string, port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffer = '';
    let greeted = false;
    socket.setTimeout(5_000, () => socket.destroy(new Error('EHLO timed out')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\r\n');
      if (!greeted && lines.some((l) => l.startsWith('220 '))) {
        greeted = true;
        buffer = '';
        socket.write('EHLO tester.test\r\n');
        return;
      }
      if (greeted && lines.some((l) => l.startsWith('250 '))) {
        socket.end('QUIT\r\n');
        resolve(lines.filter((l) => l.startsWith('250')).map((l) => l.slice(4)));
      }
    });
  });
}

function refused(host: string, port: number): Promise<string> {
  return ehlo(host, port).then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code ?? err.message,
  );
}

describe('email: inbound SMTP binding and STARTTLS', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let certPem: string;
  let tlsFiles: { cert: string; key: string };
  const stops: Array<() => Promise<void>> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-smtp-tls-'));

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
      ],
    });
    certPem = pems.cert;
    tlsFiles = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
    fs.writeFileSync(tlsFiles.cert, pems.cert);
    fs.writeFileSync(tlsFiles.key, pems.private);
  });
  after(async () => {
    for (const stop of stops) await stop();
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The listener started from environment variables, as `npm start` does. */
  async function listen(env: Record<string, string>): Promise<{ port: number; config: IntegrationConfig }> {
    const port = await freePort();
    const config = loadIntegrationConfig({ PACER_INBOUND_SMTP_PORT: String(port), PACER_INBOUND_DEFAULT_ORGANIZATION: 'unused', ...env });
    const stop = await startInboundEmail({ db: h.database.db, lifecycle: h.lifecycle, tickets: h.tickets, config, log: createLogger('silent') });
    assert.ok(stop);
    stops.push(stop);
    return { port, config };
  }

  it('binds 127.0.0.1 by default', async () => {
    const { port, config } = await listen({});
    assert.equal(config.inbound?.host, '127.0.0.1');
    assert.ok((await ehlo('127.0.0.1', port)).length > 0, 'answers on 127.0.0.1');
    assert.equal(await refused('127.0.0.2', port), 'ECONNREFUSED', 'another address of the host does not reach it');
  });

  it('binds every interface when PACER_INBOUND_SMTP_HOST=0.0.0.0', async () => {
    const { port } = await listen({ PACER_INBOUND_SMTP_HOST: '0.0.0.0' });
    assert.equal(await refused('127.0.0.2', port), 'answered');
  });

  it('does not offer STARTTLS without a certificate, so a client that requires TLS gives up', async () => {
    const { port } = await listen({});
    const caps = await ehlo('127.0.0.1', port);
    assert.ok(!caps.includes('STARTTLS'), caps.join(', '));
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true });
    await assert.rejects(client.verify(), /STARTTLS/i);
    client.close();
  });

  it('offers STARTTLS with a configured certificate', async () => {
    const { port } = await listen({ PACER_INBOUND_SMTP_TLS_CERT: tlsFiles.cert, PACER_INBOUND_SMTP_TLS_KEY: tlsFiles.key });
    assert.ok((await ehlo('127.0.0.1', port)).includes('STARTTLS'));
  });

  it('delivers a mail over STARTTLS with the configured certificate, verified against it', async () => {
    const { port } = await listen({ PACER_INBOUND_SMTP_TLS_CERT: tlsFiles.cert, PACER_INBOUND_SMTP_TLS_KEY: tlsFiles.key });
    const res = await h.api('/api/v1/organizations', { body: { name: 'TLS Co', tier: 'enterprise', emailDomains: ['tls.test'] } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    // requireTLS: without a successful upgrade nodemailer sends nothing; ca: only our certificate is trusted.
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { ca: certPem } });
    const subject = `Over TLS ${crypto.randomBytes(3).toString('hex')}`;
    const info = await client.sendMail({ from: 'Tia <tia@tls.test>', to: 'support@pacer.test', subject, text: 'Sent encrypted.' });
    client.close();
    assert.match(info.response, /^250/);
    const row = await h.database.db.selectFrom('tickets').select(['subject', 'channel']).where('requester_email', '=', 'tia@tls.test').executeTakeFirst();
    assert.deepEqual(row, { subject, channel: 'email' });
  });

  it('refuses a certificate without its key at start-up', () => {
    assert.throws(() => loadIntegrationConfig({ PACER_INBOUND_SMTP_PORT: '2525', PACER_INBOUND_SMTP_TLS_CERT: tlsFiles.cert }), /go together/);
  });
});
