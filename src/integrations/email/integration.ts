/**
 * Email: requester mail on ticket events (acknowledgement, agent replies, solved), the `email`
 * ladder action, the inbound SMTP listener that turns mail into tickets and comments, and the
 * mail to status-page subscribers.
 * Without PACER_SMTP_URL and PACER_MAIL_FROM the worker part is off, and `email` actions are
 * recorded as skipped.
 */
import { parseMailbox } from './threading';
import { emailAction } from './email-action';
import { emailHooks } from './email-hooks';
import { TicketMailer } from './mailer';
import { startInboundEmail } from './inbound-server';
import { StatusMailer } from './status-mailer';
import type { Integration } from '../integration-deps';
import { PostgresSearch } from '../../domain/search/postgres-search';
import { SurveyLinks } from '../../domain/csat/survey-links';

export const email: Integration = {
  name: 'email',
  worker: (deps) => {
    const config = deps.config.email;
    if (!config) return null;
    const from = parseMailbox(config.from);
    if (!from) throw new Error(`PACER_MAIL_FROM is not an email address: "${config.from}"`);
    const mailer = new TicketMailer(deps.db, config.smtpUrl, from);
    return {
      actions: { email: { ticket: emailAction({ db: deps.db, mailer, roleEmails: config.roleEmails, publicUrl: deps.config.publicUrl }) } },
      hooks: emailHooks({
        db: deps.db,
        mailer,
        signature: from.name || 'Support',
        surveyLinks: new SurveyLinks(deps.db, deps.config.csat?.secret, deps.config.publicUrl),
        log: deps.log,
        suggestions: config.ackSuggestions ? { search: deps.kbSearch ?? new PostgresSearch(deps.db), count: config.ackSuggestions, publicUrl: deps.config.publicUrl } : undefined,
      }),
    };
  },
  server: startInboundEmail,
  statusMail: (deps) => (deps.config.email ? new StatusMailer(deps.db, deps.config.email, deps.config.publicUrl) : null),
};
