/**
 * Live ticket changes for open pages. One poller per app tails the append-only event log
 * by commit visibility (src/db/repositories/event-tail.ts: an event whose transaction took a
 * lower seq but committed later is still reported; every ticket change writes an event in the
 * same transaction as the row, so a page that re-reads after an event sees the change) and
 * fans the changed ticket ids out to every connected page as server-sent events. It runs only
 * while a page listens. Polling keeps it working on PGlite and any PostgreSQL without extra
 * connections.
 */
import type { Request, Response } from 'express';
import type { Db } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { changesSince, currentSnapshot, type TailedChange } from '../../db/repositories/event-tail';

type Listener = (changes: TailedChange[]) => void;

export class TicketEventTail {
  private readonly listeners = new Set<Listener>();
  /** The snapshot the log was last read in: what it showed has been told. */
  private seen: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly everyMs = 500,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.everyMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
        this.seen = null;
      }
    };
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
    this.seen = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if (this.seen === null) {
        this.seen = await currentSnapshot(this.db);
        return;
      }
      const { snapshot, changes } = await changesSince(this.db, this.seen);
      this.failing = false;
      this.seen = snapshot;
      if (!changes.length) return;
      for (const l of this.listeners) l(changes);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // The app's database was closed (shutdown) while a page still listened: there is nothing left to tail.
      if (/driver has already been destroyed/.test(message)) return this.stop();
      // During a database outage this fails every poll: say so once, and again only after it recovered.
      if (!this.failing) this.log.warn({ err: message }, 'ticket event tail failed; retrying');
      this.failing = true;
    } finally {
      this.polling = false;
    }
  }
}

/** An SSE response: `event: tickets` with the changed ids. */
export function streamTickets(tail: TicketEventTail, req: Request, res: Response, organizationId: string | null): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write('retry: 2000\n\n');
  const unsubscribe = tail.subscribe((changes) => {
    // A customer hears only of public changes to its own organization's tickets.
    const seen = organizationId === null ? changes : changes.filter((c) => c.organizationId === organizationId && c.visibility === 'public');
    if (!seen.length) return;
    res.write(`event: tickets\ndata: ${JSON.stringify({ ids: [...new Set(seen.map((c) => c.ticketId))] })}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
