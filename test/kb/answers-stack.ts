/**
 * A whole Pacer (app, worker, PostgreSQL, the Temporal dev server) whose knowledge base
 * searches the real Typesense server of the run under its own alias, with the outbox drainer
 * running (or, with engine 'postgres', the PostgreSQL full-text fallback alone): what the suggestion tests need (tickets, portal and console pages, emails, search).
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { createLogger } from '../../src/core/logger';
import { KbSearch } from '../../src/domain/search/kb-search';
import { OutboxDrainer } from '../../src/domain/search/outbox-drainer';
import { reindex } from '../../src/domain/search/reindex';
import { TypesenseIndex } from '../../src/domain/search/typesense-index';
import type { IntegrationConfig } from '../../src/integrations/config';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf } from '../api/api-helpers';
import { testTypesense, type Engine } from './kb-harness';

export interface AnswersStack {
  h: PacerHarness;
  /** Creates an article through the API as the admin; answers its id. */
  article(a: { title: string; body: string; keywords?: string[]; visibility?: 'public' | 'organizations' | 'agents'; organizationIds?: string[]; state?: 'draft' | 'published' }): Promise<string>;
  /** Every outbox row carried to Typesense. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const created = z.object({ id: z.string() });

export async function startAnswersStack(opts: { integrations?: IntegrationConfig; engine?: Engine } = {}): Promise<AnswersStack> {
  const log = createLogger('error');
  let drainer: OutboxDrainer | null = null;
  const h = await startHarness({
    integrations: opts.integrations,
    kb: async (db) => {
      // The fallback alone: what searches answer while Typesense is unreachable, or with PACER_SEARCH=postgres.
      if (opts.engine === 'postgres') return { search: new KbSearch(db, log, null) };
      const { url, apiKey } = testTypesense();
      const index = new TypesenseIndex({ url, apiKey, alias: `kb_answers_${crypto.randomBytes(5).toString('hex')}`, timeoutSeconds: 2 });
      await reindex(db, index);
      const d = new OutboxDrainer(db, index, log, { idleMs: 50, maxBackoffMs: 500 });
      drainer = d;
      d.start();
      return { search: new KbSearch(db, log, index), onChange: () => d.wake() };
    },
  });
  return {
    h,
    async article(a) {
      return bodyOf(await h.api('/api/v1/kb/articles', { body: { visibility: 'public', state: 'published', ...a } }), created, 201).id;
    },
    async settle() {
      const deadline = Date.now() + 10_000;
      const d: OutboxDrainer | null = drainer;
      if (!d) return;
      while ((await d.drainAll(), await d.pending()) > 0) {
        if (Date.now() > deadline) throw new Error('the search outbox did not drain within 10 s');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      const d: OutboxDrainer | null = drainer;
      await d?.stop();
      await h.close();
    },
  };
}
