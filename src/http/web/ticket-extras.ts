/**
 * The ticket page's actions that reach past the ticket itself: open a Jira issue (the
 * registry's "open an issue" capability, the same opener as `POST /tickets/:id/jira`), escalate
 * now (the workflow runs the next ladder step's actions at once), and link to an incident. An action whose integration is not configured shows that it
 * is not available instead of failing on click.
 */
import crypto from 'node:crypto';
import type { Router, Request } from 'express';
import type { Db, TicketRow } from '../../db/schema';
import { findManualEscalation, linkedKey } from '../../db/repositories/ticket-details';
import { Unavailable } from '../../core/errors';
import type { IntegrationConfig } from '../../integrations/config';
import { issueOpenerOf } from '../../integrations/open-issue';
import type { IssueOpener } from '../../integrations/integration-deps';
import type { Logger } from '../../core/logger';
import type { TicketLifecycle } from '../../domain/tickets/ticket-lifecycle';
import { actorOf } from '../../domain/tickets/ticket-service';
import type { IncidentService } from '../../domain/incidents/incident-service';
import { incidentLinkForm, linkedIncidentsPanel, linkTicketToIncident, ticketIncidents, type TicketIncidents } from './incidents-page';
import { csrfField } from './csrf';
import { html, type SafeHtml } from './html';

export interface TicketExtraData {
  jiraKey: string | null;
  incidents: TicketIncidents;
}

export interface TicketExtrasDeps {
  db: Db;
  integrations: IntegrationConfig | undefined;
  incidents: IncidentService;
  lifecycle: TicketLifecycle;
  log: Logger;
}

export class TicketExtras {
  private readonly jira: IssueOpener | null;

  constructor(private readonly deps: TicketExtrasDeps) {
    this.jira = (deps.integrations && issueOpenerOf({ db: deps.db, config: deps.integrations, log: deps.log })) ?? null;
  }

  async forTicket(t: TicketRow): Promise<TicketExtraData> {
    const [jiraKey, incidents] = await Promise.all([linkedKey(this.deps.db, t.id, 'jira'), ticketIncidents(this.deps.db, t.id)]);
    return { jiraKey, incidents };
  }

  actions(t: TicketRow, csrf: string, extra: TicketExtraData): SafeHtml {
    const jira = this.jira
      ? html`<form method="post" action="/console/tickets/${t.id}/jira" class="row">${csrfField(csrf)}<button type="submit">${extra.jiraKey ? `Update Jira issue ${extra.jiraKey}` : 'Open a Jira issue'}</button></form>`
      : html`<p class="row"><button type="button" disabled aria-describedby="jira-off">Open a Jira issue</button> <span id="jira-off" class="muted">not available: Jira is not configured</span></p>`;
    const escalate = t.policy_id
      ? html`<form method="post" action="/console/tickets/${t.id}/escalate" class="row">${csrfField(csrf)}<button type="submit" aria-describedby="escalate-help">Escalate now</button> <span id="escalate-help" class="muted">runs the next ladder step's actions</span></form>`
      : html`<p class="row"><button type="button" disabled aria-describedby="escalate-off">Escalate now</button> <span id="escalate-off" class="muted">not available: no SLA policy, so no ladder</span></p>`;
    // Who owns the clocks: their pages stop, here and in PagerDuty (the same acknowledgement as the API's and Slack's).
    const acknowledge = t.policy_id
      ? html`<form method="post" action="/console/tickets/${t.id}/acknowledge" class="row">${csrfField(csrf)}<button type="submit" aria-describedby="acknowledge-help">Acknowledge</button> <span id="acknowledge-help" class="muted">stops the ladder's pages for the running clocks</span></form>`
      : '';
    return html`${escalate}${acknowledge}${jira}${incidentLinkForm(t, csrf, extra.incidents)}`;
  }

  panels(_t: TicketRow, extra: TicketExtraData): SafeHtml {
    return linkedIncidentsPanel(extra.incidents);
  }

  routes(_r: Router, action: ActionRoute): void {
    action('incident', (req, t) => linkTicketToIncident(this.deps.db, this.deps.incidents, req, t));
    action('escalate', async (req, t) => {
      const id = crypto.randomUUID();
      await this.deps.lifecycle.act(t.id, { kind: 'escalate', actionId: id, actor: actorOf(req.principal!), clock: null });
      const d = await findManualEscalation(this.deps.db, t.id, id);
      return `Escalated now: the ${d?.percent ?? '?'}% ${String(d?.clock ?? '').replace('_', ' ')} step's actions are running.`;
    });
    action('acknowledge', async (req, t) => {
      await this.deps.lifecycle.act(t.id, { kind: 'acknowledge', actionId: crypto.randomUUID(), actor: actorOf(req.principal!), clock: null, source: 'console' });
      return 'Acknowledged: no further pages for the running clocks.';
    });
    action('jira', async (req, t) => {
      if (!this.jira) throw new Unavailable('jira_not_configured', 'Jira is not configured.');
      // Its failures are the same PacerErrors, so the same statuses, as POST /api/v1/tickets/:id/jira (the one mapping in http/kit).
      const issue = await this.jira.open({ ticketId: t.id, origin: `agent:${req.principal!.name}` });
      return issue.created ? `Opened Jira issue ${issue.key}.` : `Jira issue ${issue.key} is linked.`;
    });
  }
}

export type ActionRoute = (name: string, run: (req: Request, t: TicketRow) => Promise<string>, then?: (t: TicketRow) => string) => unknown;
