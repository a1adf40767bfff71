/**
 * Outbound email, when PACER_SMTP_URL and PACER_MAIL_FROM are set: requester mail on ticket
 * events (acknowledgement, agent replies, solved) and the `email` ladder action. Without that
 * configuration it registers nothing, and `email` actions are skipped by the framework.
 */
import { parseMailbox } from './threading';
import { emailAction } from './email-action';
import { registerEmailHooks } from './email-hooks';
import { TicketMailer } from './mailer';
import type { IntegrationRegistration } from '../integration-deps';

export const registerEmail: IntegrationRegistration = (registries, deps) => {
  const email = deps.config.email;
  if (!email) return;
  const from = parseMailbox(email.from);
  if (!from) throw new Error(`PACER_MAIL_FROM is not an email address: "${email.from}"`);
  const mailer = new TicketMailer(deps.db, email.smtpUrl, from);
  registerEmailHooks(registries.hooks, { db: deps.db, mailer, signature: from.name || 'Support', log: deps.log });
  registries.actions.register('email', emailAction({ db: deps.db, mailer, roleEmails: email.roleEmails, publicUrl: deps.config.publicUrl }));
};
