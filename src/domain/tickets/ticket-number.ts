/**
 * Ticket numbers TKT-YYYYMMDD-NNNN and incident numbers INC-YYYYMMDD-NNNN (UTC day). Each day has its own PostgreSQL sequence,
 * created with that day's first ticket; nextval takes no row lock, so concurrent intake never
 * queues behind one counter row, and each process takes numbers a small block at a time so
 * most tickets cost no round trip at all.
 *
 * What that means for support teams: numbers are unique and increase within a day in each
 * API process; with several API processes they interleave by block, and a restart can skip
 * the unused rest of a block. A number is never repeated.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

const BLOCK = 8;

export class TicketNumbers {
  private readonly preparedDays = new Set<string>();
  private readonly blocks = new Map<string, Promise<number[]>>();

  /** `prefix` names the kind (TKT for tickets, INC for incidents); each kind has its own daily sequences. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly prefix = 'TKT',
  ) {}

  async next(createdAt: Date): Promise<string> {
    const day = createdAt.toISOString().slice(0, 10).replace(/-/g, '');
    for (;;) {
      let block = this.blocks.get(day);
      if (!block) {
        block = this.takeBlock(day);
        this.blocks.set(day, block);
        // Yesterday's leftovers are never needed again.
        for (const d of this.blocks.keys()) if (d < day) this.blocks.delete(d);
      }
      const numbers = await block.catch((err) => {
        this.blocks.delete(day);
        throw err;
      });
      const n = numbers.shift();
      if (n !== undefined) return `${this.prefix}-${day}-${String(n).padStart(4, '0')}`;
      if (this.blocks.get(day) === block) this.blocks.delete(day);
    }
  }

  private async takeBlock(day: string): Promise<number[]> {
    const sequence = this.prefix === 'TKT' ? `ticket_number_${day}` : `${this.prefix.toLowerCase()}_number_${day}`;
    if (!this.preparedDays.has(day)) {
      await sql`create sequence if not exists ${sql.id(sequence)}`.execute(this.db).catch((err: { code?: string }) => {
        // Two processes creating the same day's sequence at once: the loser's is already there.
        if (err.code !== '23505' && err.code !== '42P07') throw err;
      });
      this.preparedDays.add(day);
    }
    const { rows } = await sql<{ n: string }>`select nextval(${sequence}) as n from generate_series(1, ${BLOCK})`.execute(this.db);
    return rows.map((r) => Number(r.n)).sort((a, b) => a - b);
  }
}
