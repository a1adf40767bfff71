/**
 * Mails a public incident update to every confirmed, still-subscribed status-page subscriber,
 * once per (update, subscriber): `once` keys and deterministic Message-IDs make a retried
 * activity send nothing twice. A subscriber's server refusing for good (5xx) is logged and
 * recorded, never retried; a 4xx or a network error throws so Temporal retries the activity,
 * which then skips everyone already mailed. Without email configuration it sends nothing.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import type { IntegrationConfig } from '../src/integrations/config';
import type { StatusMail, StatusRecipient } from '../src/integrations/integration-deps';
import { statusMailOf } from '../src/integrations/status-mail';
import type { Logger } from '../src/core/logger';

/** Sends in flight at once: enough to keep an SMTP relay busy, few enough not to be throttled. */
const CONCURRENCY = 4;

export interface StatusSubscriberDeps {
  db: Kysely<Database>;
  email?: IntegrationConfig['email'];
  publicUrl: string;
  log?: Logger;
}

export function createStatusSubscriberActivities(deps: StatusSubscriberDeps) {
  let mailer: StatusMail | undefined;
  return {
    async notifyStatusSubscribers(input: { incidentId: string; updateId: string }): Promise<{ sent: number }> {
      const mail = (mailer ??= statusMailOf({ db: deps.db, config: { publicUrl: deps.publicUrl, email: deps.email } }));
      if (!mail) return { sent: 0 };
      const incident = await deps.db.selectFrom('incidents').select(['id', 'number', 'title', 'severity', 'status']).where('id', '=', input.incidentId).executeTakeFirst();
      const update = await deps.db
        .selectFrom('incident_updates')
        .select(['id', 'body', 'status', 'public'])
        .where('id', '=', input.updateId)
        .where('incident_id', '=', input.incidentId)
        .executeTakeFirst();
      if (!incident || !update) throw new Error(`incident ${input.incidentId} or its update ${input.updateId} is not recorded`);
      // Internal updates never leave the building, whoever asks.
      if (!update.public) return { sent: 0 };
      const subscribers: StatusRecipient[] = await deps.db
        .selectFrom('status_subscribers')
        .select(['id', 'email', 'token'])
        .where('confirmed_at', 'is not', null)
        .where('unsubscribed_at', 'is', null)
        .orderBy('id')
        .execute();
      const notice = { incidentId: incident.id, number: incident.number, title: incident.title, status: incident.status, updateId: update.id, updateStatus: update.status, body: update.body };
      let sent = 0;
      let next = 0;
      const worker = async () => {
        while (next < subscribers.length) {
          const to = subscribers[next++]!;
          const result = await mail.sendIncidentUpdate(to, notice);
          if (result.outcome === 'sent') sent++;
          if (result.outcome === 'refused') deps.log?.warn({ subscriberId: to.id, updateId: update.id, code: result.code }, 'status update refused by the mail server; not retried');
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, subscribers.length) }, worker));
      return { sent };
    },
  };
}
