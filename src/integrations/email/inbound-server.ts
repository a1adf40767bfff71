/**
 * The inbound SMTP listener (PACER_INBOUND_SMTP_PORT), started beside the API by `npm start`.
 * It takes mail without authentication, as an MX or the relay in front of one does. It binds
 * loopback unless PACER_INBOUND_SMTP_HOST opens it, and offers STARTTLS only with a configured
 * certificate (PACER_INBOUND_SMTP_TLS_CERT/_KEY): smtp-server's bundled one has expired, so
 * without ours TLS belongs to the MTA that relays here, or the hop stays on loopback. The
 * message is answered only after its ticket or comment exists: 250 means it is kept.
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { isUnavailable } from '../../db/unavailable';
import { receiveMail, SmtpRefusal, type InboundDeps } from './inbound-mail';
import type { IntegrationRouteDeps } from '../integration-deps';
import { inboundMail } from '../../core/metrics';

type SmtpError = Error & { responseCode: number };

function smtpError(code: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode: code });
}

function handleData(deps: InboundDeps, maxBytes: number) {
  return (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void): void => {
    const chunks: Buffer[] = [];
    // Read to the end whatever happens (the protocol needs it), but stop buffering once over the limit.
    stream.on('data', (chunk: Buffer) => {
      if (!stream.sizeExceeded) chunks.push(chunk);
    });
    stream.on('error', (err) => callback(smtpError(451, `4.3.0 could not read the message: ${err.message}`)));
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        inboundMail.inc({ outcome: 'refused' });
        return callback(smtpError(552, `5.3.4 the message exceeds the size limit of ${maxBytes} bytes`));
      }
      const envelope = {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
      };
      receiveMail(deps, Buffer.concat(chunks), envelope).then(
        (outcome) => {
          if (outcome.kind === 'ignored') deps.log.info({ reason: outcome.reason }, 'inbound email ignored');
          // A duplicate (the sender retried after our answer was lost) was accepted the first time.
          inboundMail.inc({ outcome: outcome.kind === 'ignored' ? 'ignored' : outcome.kind === 'duplicate' ? 'duplicate' : 'accepted' });
          callback();
        },
        (err: unknown) => {
          const refusal = err instanceof SmtpRefusal ? err : null;
          inboundMail.inc({ outcome: refusal && refusal.responseCode >= 500 ? 'refused' : 'deferred' });
          if (refusal) return callback(smtpError(refusal.responseCode, refusal.message));
          // Anything else is ours (database, Temporal): the sender keeps the message and retries.
          if (isUnavailable(err)) deps.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'inbound email deferred (451): a backing service is unavailable');
          else deps.log.error({ err }, 'inbound email failed');
          callback(smtpError(451, '4.3.0 temporary failure, try again later'));
        },
      );
    });
  };
}

/** Starts the listener when PACER_INBOUND_SMTP_PORT is set; returns its stop function. */
export async function startInboundEmail(deps: IntegrationRouteDeps): Promise<(() => Promise<void>) | null> {
  const inbound = deps.config.inbound;
  if (!inbound) return null;
  const server = new SMTPServer({
    name: 'pacer',
    banner: 'Pacer inbound mail',
    authOptional: true,
    // secure:false with key/cert is STARTTLS on the plain port; without a certificate, no STARTTLS.
    ...(inbound.tls ? { secure: false, key: inbound.tls.key, cert: inbound.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    size: inbound.maxBytes,
    logger: false,
    closeTimeout: 5_000,
    onData: handleData({ db: deps.db, tickets: deps.tickets, config: deps.config, log: deps.log }, inbound.maxBytes),
  });
  server.on('error', (err) => deps.log.warn({ err }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    const net = server.listen(inbound.port, inbound.host ?? '127.0.0.1', () => {
      net.off('error', reject);
      resolve();
    });
    net.once('error', reject);
  });
  deps.log.info({ host: inbound.host ?? '127.0.0.1', port: inbound.port, starttls: Boolean(inbound.tls), maxBytes: inbound.maxBytes }, 'inbound SMTP listening');
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
