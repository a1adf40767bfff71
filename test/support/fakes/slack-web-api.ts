/**
 * A loopback Slack Web API (node:http) for tests and benchmarks, following the public
 * method documents: POST /api/<method> with a form-encoded or JSON body, the bot token as
 * `Authorization: Bearer xoxb-…` (or a `token` field), every answer HTTP 200 with `ok`
 * (not_authed / invalid_auth, channel_not_found, no_text, invalid_blocks, message_not_found),
 * except a rate limit: 429 with Retry-After. Methods: auth.test, chat.postMessage (blocks
 * and metadata as JSON string fields), chat.update, conversations.history (newest first,
 * metadata only with include_all_metadata). Faults on demand: the next calls rate-limited,
 * answered 5xx, or their connection dropped after the call took effect (a lost answer).
 * Every call is recorded; response_url posts are accepted and recorded too.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { validBlock, type SlackBlock } from './slack-block-rules';

export interface FakeChannel {
  id: string;
  name: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: SlackBlock[];
  user: string;
  bot_id: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Earlier versions, oldest first, each replaced by a chat.update. */
  edits: Array<{ text: string; blocks: SlackBlock[] }>;
}

export interface SlackCall {
  /** When it arrived (ms since the epoch). */
  at: number;
  method: string;
  status: number;
  contentType: string;
  /** Form fields or JSON members as sent (form values are strings; blocks arrive as JSON text). */
  params: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  response: Record<string, unknown> | null;
  /** What the call did, or the fault it met. */
  outcome: string;
}

export type SlackFault = 500 | 503 | 'drop';

export interface SlackWebApiFake {
  /** For `slackApiUrl`: http://127.0.0.1:<port>/api/ */
  url: string;
  token: string;
  teamId: string;
  botUserId: string;
  botId: string;
  channels: FakeChannel[];
  calls: SlackCall[];
  messages: FakeMessage[];
  responseUrlPosts: Array<{ path: string; body: string }>;
  callsTo(method: string): SlackCall[];
  messagesIn(channelId: string): FakeMessage[];
  /** The next `count` calls (of `method`, or any) answer 429 with Retry-After. */
  rateLimitNext(count: number, retryAfterSeconds?: number, method?: string): void;
  /** The next calls of `method` meet these faults, one each, in order. */
  failNext(method: string, ...faults: SlackFault[]): void;
  /** Tokens this workspace accepts from now on (a revoked token answers invalid_auth). */
  setTokens(...tokens: string[]): void;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T>;
  close(): Promise<void>;
}

export interface SlackFakeOptions {
  channels?: FakeChannel[];
  token?: string;
}

export async function startSlackWebApiFake(opts: SlackFakeOptions = {}): Promise<SlackWebApiFake> {
  const token = opts.token ?? `xoxb-${crypto.randomInt(1e9)}-${crypto.randomInt(1e9)}-${crypto.randomBytes(12).toString('hex')}`;
  let tokens = new Set([token]);
  const teamId = 'T0PACER01';
  const botUserId = 'U0PACERBOT';
  const botId = 'B0PACERBOT';
  const channels = opts.channels ?? [{ id: 'C0PACER001', name: 'pacer-escalations' }];
  const calls: SlackCall[] = [];
  const messages: FakeMessage[] = [];
  const responseUrlPosts: Array<{ path: string; body: string }> = [];
  const rateLimits: Array<{ method?: string; retryAfter: number }> = [];
  const faults = new Map<string, SlackFault[]>();
  let lastTs = 0;

  /** Unique, increasing "seconds.micro" timestamps, as Slack's are per channel. */
  const nextTs = () => {
    lastTs = Math.max(lastTs + 1, Date.now() * 1000);
    return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
  };
  const channelById = (id: unknown) => channels.find((c) => c.id === id);
  const channelByIdOrName = (v: unknown) => (typeof v === 'string' ? channels.find((c) => c.id === v || c.name === v.replace(/^#/, '')) : undefined);
  const fail = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });
  const asJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
  const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;
  const view = (m: FakeMessage, withMetadata: boolean) => ({
    type: 'message',
    user: m.user,
    bot_id: m.bot_id,
    app_id: 'A0PACERAPP',
    team: teamId,
    text: m.text,
    ts: m.ts,
    blocks: m.blocks,
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    ...(m.edits.length ? { edited: { user: botUserId, ts: m.ts } } : {}),
  });

  /** Text, blocks and metadata as chat.postMessage and chat.update take them. */
  function content(p: Record<string, unknown>): { text?: string; blocks?: SlackBlock[]; metadata?: FakeMessage['metadata']; error?: string } {
    let blocks: SlackBlock[] | undefined;
    if (p.blocks !== undefined) {
      let given: unknown;
      try {
        given = asJson(p.blocks);
      } catch {
        return { error: 'invalid_blocks_format' };
      }
      if (!Array.isArray(given) || given.length > 50 || !given.every(validBlock)) return { error: 'invalid_blocks' };
      blocks = given;
    }
    let metadata: FakeMessage['metadata'];
    if (p.metadata !== undefined) {
      try {
        metadata = asJson(p.metadata) as FakeMessage['metadata'];
      } catch {
        return { error: 'invalid_metadata_format' };
      }
      if (typeof metadata?.event_type !== 'string' || typeof metadata.event_payload !== 'object') return { error: 'invalid_metadata_format' };
    }
    const text = typeof p.text === 'string' ? p.text : undefined;
    return { text, blocks, metadata };
  }

  const methods: Record<string, (p: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({ ok: true, url: 'https://pacer-test.slack.com/', team: 'Pacer Test', user: 'pacer', team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false }),

    'chat.postMessage': (p) => {
      const channel = channelByIdOrName(p.channel);
      if (!channel) return fail('channel_not_found');
      const c = content(p);
      if (c.error) return fail(c.error);
      if (!c.text && !c.blocks?.length) return fail('no_text');
      const m: FakeMessage = { channel: channel.id, ts: nextTs(), text: c.text ?? '', blocks: c.blocks ?? [], user: botUserId, bot_id: botId, metadata: c.metadata, edits: [] };
      messages.push(m);
      return { ok: true, channel: channel.id, ts: m.ts, message: view(m, false) };
    },

    'chat.update': (p) => {
      const channel = channelById(p.channel);
      if (!channel) return fail('channel_not_found');
      const m = messages.find((x) => x.channel === channel.id && x.ts === p.ts);
      if (!m) return fail('message_not_found');
      if (m.user !== botUserId) return fail('cant_update_message');
      const c = content(p);
      if (c.error) return fail(c.error);
      if (c.text === undefined && c.blocks === undefined) return fail('no_text');
      m.edits.push({ text: m.text, blocks: m.blocks });
      if (c.text !== undefined) m.text = c.text;
      if (c.blocks !== undefined) m.blocks = c.blocks;
      if (c.metadata) m.metadata = c.metadata;
      return { ok: true, channel: channel.id, ts: m.ts, text: m.text, message: view(m, false) };
    },

    'conversations.history': (p) => {
      const channel = channelById(p.channel);
      if (!channel) return fail('channel_not_found');
      const inclusive = truthy(p.inclusive);
      const oldest = p.oldest === undefined ? 0 : Number(p.oldest);
      const latest = p.latest === undefined ? Infinity : Number(p.latest);
      const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 999);
      const inRange = messages
        .filter((m) => m.channel === channel.id)
        .filter((m) => {
          const t = Number(m.ts);
          return (inclusive ? t >= oldest : t > oldest) && (inclusive ? t <= latest : t < latest);
        })
        .reverse();
      return { ok: true, messages: inRange.slice(0, limit).map((m) => view(m, truthy(p.include_all_metadata))), has_more: inRange.length > limit, pin_count: 0 };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const send = (status: number, body: Record<string, unknown> | string, headers: Record<string, string> = {}) => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8', ...headers });
        res.end(text);
      };
      if (url.pathname.startsWith('/actions/')) {
        responseUrlPosts.push({ path: url.pathname, body: raw });
        return send(200, 'ok');
      }
      const method = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : '';
      const contentType = String(req.headers['content-type'] ?? '');
      let params: Record<string, unknown> = Object.fromEntries(url.searchParams.entries());
      try {
        if (contentType.startsWith('application/json')) params = { ...params, ...(raw ? JSON.parse(raw) : {}) };
        else params = { ...params, ...Object.fromEntries(new URLSearchParams(raw).entries()) };
      } catch {
        params = { ...params, __unparsed: raw };
      }
      const call: SlackCall = { at: Date.now(), method, status: 200, contentType, params, headers: req.headers, response: null, outcome: '' };
      calls.push(call);
      const answer = (status: number, body: Record<string, unknown>, outcome: string, headers: Record<string, string> = {}) => {
        Object.assign(call, { status, response: body, outcome });
        send(status, body, headers);
      };

      if (req.method !== 'POST' && req.method !== 'GET') return answer(405, fail('method_not_supported_for_channel_type'), 'wrong http method');
      const handler = methods[method];
      if (!handler) return answer(200, fail('unknown_method', { req_method: method }), 'unknown method');

      const limited = rateLimits.findIndex((r) => !r.method || r.method === method);
      if (limited >= 0) {
        const [r] = rateLimits.splice(limited, 1);
        return answer(429, fail('ratelimited'), 'rate limited', { 'retry-after': String(r!.retryAfter) });
      }

      const bearer = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      const given = bearer ?? (typeof params.token === 'string' ? params.token : undefined);
      if (!given) return answer(200, fail('not_authed'), 'no token');
      if (!tokens.has(given)) return answer(200, fail('invalid_auth'), 'bad token');
      if (params.__unparsed !== undefined) return answer(200, fail('invalid_form_data'), 'unreadable body');

      const fault = faults.get(method)?.shift();
      if (fault === 500 || fault === 503) {
        Object.assign(call, { status: fault, outcome: `fault ${fault}` });
        return send(fault, fault === 500 ? 'Internal Server Error' : 'Service Unavailable');
      }
      const body = handler(params);
      if (fault === 'drop') {
        // The call took effect; its answer never arrives.
        Object.assign(call, { status: 0, response: body, outcome: `${body.ok ? 'done' : String(body.error)}, connection dropped` });
        req.socket.destroy();
        return;
      }
      answer(200, body, body.ok ? 'done' : String(body.error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    teamId,
    botUserId,
    botId,
    channels,
    calls,
    messages,
    responseUrlPosts,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messagesIn: (channelId) => messages.filter((m) => m.channel === channelId),
    rateLimitNext(count, retryAfterSeconds = 1, method) {
      for (let i = 0; i < count; i++) rateLimits.push({ method, retryAfter: retryAfterSeconds });
    },
    failNext(method, ...list) {
      faults.set(method, [...(faults.get(method) ?? []), ...list]);
    },
    setTokens(...list) {
      tokens = new Set(list);
    },
    async waitFor(probe, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = probe();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
