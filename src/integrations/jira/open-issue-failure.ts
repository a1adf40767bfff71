/**
 * What an agent's "open the Jira issue now" answers when it fails, in domain words: the API's
 * `POST /tickets/:id/jira` and the console's button both throw this, and the one mapping in
 * http/kit gives both the same status (503 `jira_busy`, 502 `jira_rejected` / `jira_unavailable`).
 */
import { NotFound, PacerError, Unavailable, UpstreamFailed } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { TicketNotFound } from './issue-service';
import { JiraRejected } from './jira-api';
import { LeaseBusy } from './ticket-lease';

export function openIssueFailure(err: unknown, ticketId: string, log: Logger): PacerError {
  if (err instanceof PacerError) return err;
  if (err instanceof TicketNotFound) return new NotFound('ticket');
  if (err instanceof LeaseBusy) return new Unavailable('jira_busy', 'the Jira issue of this ticket is being opened by another request; retry shortly');
  if (err instanceof JiraRejected) {
    log.warn({ ticketId, status: err.status, errors: err.errors }, 'Jira refused to open an issue');
    return new UpstreamFailed('jira_rejected', err.message);
  }
  log.warn({ ticketId, err: err instanceof Error ? err.message : String(err) }, 'Jira unavailable');
  return new UpstreamFailed('jira_unavailable', 'Jira did not answer; retry later');
}
