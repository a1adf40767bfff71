/**
 * The Block Kit of an incident announcement, as pure functions: the message an incident
 * ladder's `slack` action posts (number, title, severity, status, impact, commander, a link,
 * an Acknowledge button) and the same message once someone acknowledged it (the button
 * replaced by who did). The button value is the incident id, all a click needs to signal.
 */
import { z } from 'zod';
import { escapeMrkdwn } from './escalation-blocks';
import { incidentUrl } from '../../core/links';

export const INCIDENT_ACK_ACTION = 'pacer_incident_ack';
export const INCIDENT_ACTIONS_BLOCK_ID = 'pacer_incident_actions';
/** Message metadata type: lets a retried post find the message an earlier attempt left. */
export const INCIDENT_METADATA_EVENT_TYPE = 'pacer_incident';
/** incident_links kind of the messages posted for an incident (external key "<channel>:<ts>"). */
export const INCIDENT_SLACK_LINK_KIND = 'slack';

const MAX_TITLE = 300;
const SEVERITY_ICON: Record<string, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:', low: ':white_circle:' };

export interface IncidentView {
  incidentId: string;
  number: string;
  title: string;
  severity: string;
  status: string;
  impact: string;
  commander: string | null;
  url: string;
}

/** The message's view of an incident row: what the post and the redraw after a click both show. */
export function incidentViewOf(row: { id: string; number: string; title: string; severity: string; status: string; impact: string; commander: string | null }, publicUrl: string): IncidentView {
  return { incidentId: row.id, number: row.number, title: row.title, severity: row.severity, status: row.status, impact: row.impact, commander: row.commander, url: incidentUrl(publicUrl, row.id) };
}

function titleOf(v: IncidentView): string {
  return v.title.length > MAX_TITLE ? `${v.title.slice(0, MAX_TITLE - 1)}…` : v.title;
}

export function incidentFallbackText(v: IncidentView): string {
  return `${v.number} ${titleOf(v)} (${v.severity}, ${v.status})`;
}

function incidentSection(v: IncidentView) {
  return {
    type: 'section',
    block_id: 'pacer_incident',
    text: { type: 'mrkdwn', text: `${SEVERITY_ICON[v.severity] ?? ':rotating_light:'} *<${v.url}|${v.number}>* ${escapeMrkdwn(titleOf(v))}` },
    fields: [
      { type: 'mrkdwn', text: `*Severity*\n${escapeMrkdwn(v.severity)}` },
      { type: 'mrkdwn', text: `*Status*\n${escapeMrkdwn(v.status)}` },
      { type: 'mrkdwn', text: `*Impact*\n${escapeMrkdwn(v.impact.replace(/_/g, ' '))}` },
      { type: 'mrkdwn', text: `*Commander*\n${v.commander ? escapeMrkdwn(v.commander) : 'unassigned'}` },
    ],
  };
}

export function incidentMessage(v: IncidentView): { text: string; blocks: Array<Record<string, unknown>> } {
  return {
    text: incidentFallbackText(v),
    blocks: [
      incidentSection(v),
      {
        type: 'actions',
        block_id: INCIDENT_ACTIONS_BLOCK_ID,
        elements: [{ type: 'button', action_id: INCIDENT_ACK_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, value: v.incidentId }],
      },
    ],
  };
}

/** The announcement after someone acted: no button, a line saying who did what. */
export function incidentActedMessage(v: IncidentView, outcome: string): { text: string; blocks: Array<Record<string, unknown>> } {
  return {
    text: `${incidentFallbackText(v)}: ${outcome}`,
    blocks: [incidentSection(v), { type: 'context', block_id: 'pacer_outcome', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(outcome) }] }],
  };
}

export function parseIncidentButtonValue(value: string | undefined): string | null {
  const parsed = z.uuid().safeParse(value);
  return parsed.success ? parsed.data : null;
}
