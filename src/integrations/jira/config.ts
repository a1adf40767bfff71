/** Jira's settings: on when PACER_JIRA_URL, PACER_JIRA_EMAIL, PACER_JIRA_API_TOKEN and PACER_JIRA_PROJECT are all set. */
import { z } from 'zod';
import { optionalValue, parseEnv } from '../env-values';

export interface JiraConfig {
  url: string;
  email: string;
  apiToken: string;
  project: string;
  webhookSecret?: string;
}

const schema = z.object({
  PACER_JIRA_URL: optionalValue,
  PACER_JIRA_EMAIL: optionalValue,
  PACER_JIRA_API_TOKEN: optionalValue,
  PACER_JIRA_PROJECT: optionalValue,
  PACER_JIRA_WEBHOOK_SECRET: optionalValue,
});

export function loadJiraConfig(env: NodeJS.ProcessEnv): { jira?: JiraConfig } {
  const e = parseEnv(schema, env);
  if (!(e.PACER_JIRA_URL && e.PACER_JIRA_EMAIL && e.PACER_JIRA_API_TOKEN && e.PACER_JIRA_PROJECT)) return {};
  return { jira: { url: e.PACER_JIRA_URL, email: e.PACER_JIRA_EMAIL, apiToken: e.PACER_JIRA_API_TOKEN, project: e.PACER_JIRA_PROJECT, webhookSecret: e.PACER_JIRA_WEBHOOK_SECRET } };
}
