/**
 * A Bolt receiver that lives inside Pacer's express app instead of running its own server.
 * It checks X-Slack-Signature over the raw body with Bolt's verifySlackRequest (and a
 * five-minute window both ways) before anything is parsed, answering 401 in Pacer's one
 * error shape; then it hands the payload to Bolt. Bolt's start-up (auth.test) happens
 * lazily on the first verified request and is retried on the next one if it failed, so
 * an unreachable or misconfigured Slack never stops the API from starting.
 */
import express, { Router, type Request } from 'express';
import { HTTPResponseAck, verifySlackRequest, type App, type Logger as SlackLogger, type Receiver } from '@slack/bolt';
import { InvalidInput, PacerError, Unauthenticated, Unavailable } from '../../core/errors';
import { parseInboundJson } from '../../http/kit/validation';

const WINDOW_SECONDS = 5 * 60;

export interface ActionsReceiverOptions {
  signingSecret: string;
  /** Where Slack's Interactivity Request URL points, relative to the router's mount point. */
  path: string;
  logger: SlackLogger;
  now?: () => number;
}

export class ActionsReceiver implements Receiver {
  readonly router: Router;
  private bolt: App | undefined;
  private ready: Promise<void> | null = null;

  constructor(private readonly opts: ActionsReceiverOptions) {
    this.router = Router();
    this.router.post(opts.path, express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      this.verify(req, raw);
      const body = parseBody(raw, req.get('content-type'));
      await this.initialized();

      const ack = new HTTPResponseAck({ logger: opts.logger, processBeforeResponse: false, httpRequest: req, httpRequestBody: body, httpResponse: res });
      const ackFn = ack.bind();
      try {
        await this.bolt!.processEvent({ body, ack: ackFn });
      } catch (err) {
        // Failed before acknowledging: Slack shows the person an error, and nothing changed.
        if (!res.headersSent) {
          ack.ack();
          throw err;
        }
        opts.logger.error('Slack interaction failed after it was acknowledged', err);
        return;
      }
      // An interaction no listener claims (a button we do not know) still gets its 200.
      if (!res.headersSent) await ackFn();
    });
  }

  init(app: App): void {
    this.bolt = app;
  }

  /** Mounted inside Pacer's own server, which starts and stops it. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  private verify(req: Request, raw: string): void {
    const signature = req.get('x-slack-signature');
    const tsHeader = req.get('x-slack-request-timestamp');
    const fail = (why: string) => new Unauthenticated(`Slack request rejected: ${why}`, 'invalid_signature');
    if (!signature || !tsHeader || !/^\d{1,12}$/.test(tsHeader)) throw fail('X-Slack-Signature and X-Slack-Request-Timestamp are required');
    const ts = Number(tsHeader);
    const now = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
    // Bolt refuses old timestamps; one from the future is just as much a replay risk.
    if (Math.abs(now - ts) > WINDOW_SECONDS) throw fail('the request timestamp is outside the five-minute window');
    try {
      verifySlackRequest({ signingSecret: this.opts.signingSecret, body: raw, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts } });
    } catch {
      throw fail('the signature does not match the body');
    }
  }

  private async initialized(): Promise<void> {
    if (!this.bolt) throw new Unavailable('unavailable', 'the Slack app is not ready');
    this.ready ??= this.bolt.init().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    try {
      await this.ready;
    } catch (err) {
      this.opts.logger.error('Slack app start-up (auth.test) failed', err);
      throw new Unavailable('slack_unavailable', 'the Slack app could not start; retry later');
    }
  }
}

/** Interactivity arrives form-encoded as payload=<JSON>; Events API requests as JSON. */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  const bad = () => new InvalidInput('not a Slack interactivity payload', undefined, 'invalid_payload');
  try {
    if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      if (payload !== null) return asObject(parseInboundJson(payload), bad);
      return Object.fromEntries(form.entries());
    }
    return asObject(parseInboundJson(raw), bad);
  } catch (err) {
    if (err instanceof PacerError) throw err;
    throw bad();
  }
}

function asObject(v: unknown, bad: () => PacerError): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad();
  return v as Record<string, unknown>;
}
