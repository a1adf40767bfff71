/**
 * Which integration opens a ticket's issue for an agent: the first in the list that declares
 * `openIssue`. The API route's OpenAPI entry reads its body schema here and the console asks
 * for its opener here, so neither names the Jira integration's files.
 */
import { z } from 'zod';
import { INTEGRATIONS } from './index';
import type { Integration, IssueOpener, IssueOpenerDeps, OpenIssueBody } from './integration-deps';

/** The configured opener, or undefined when no integration that declares one is configured. */
export function issueOpenerOf(deps: IssueOpenerDeps, integrations: readonly Integration[] = INTEGRATIONS): IssueOpener | undefined {
  for (const integration of integrations) {
    const opener = integration.openIssue?.opener(deps);
    if (opener) return opener;
  }
  return undefined;
}

/** The body an agent's "open an issue" accepts; an empty object when no integration declares the capability. */
export function openIssueBody(integrations: readonly Integration[] = INTEGRATIONS): z.ZodType<OpenIssueBody> {
  return integrations.find((i) => i.openIssue)?.openIssue?.body ?? z.strictObject({});
}
