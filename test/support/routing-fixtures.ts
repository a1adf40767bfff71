/**
 * A routing set-up through the API, as an admin would make it: a group with its settings, its
 * agents with a routing profile (capacity, skills) and a status, and a rule sending matching
 * tickets to the group. Each step goes through the documented response schema, so a refusal
 * fails the set-up where it happened rather than later in a test.
 */
import assert from 'node:assert/strict';
import type { PacerHarness } from './api-harness';
import type { TestUser } from './browser';
import { bodyOf } from '../api/api-helpers';
import { agentResponse, groupResponse, ruleResponse } from '../../src/http/api/routes/routing';
import type { AgentStatus, RequiredSkill, RoutingConditions, RoutingStrategy } from '../../src/db/schema';

export interface RoutedAgent {
  user: TestUser;
  status: AgentStatus;
  capacity: number;
  skills: Array<{ name: string; level: number }>;
}

export interface RoutingSetUp {
  group: { name: string; strategy: RoutingStrategy; releaseOnOffline: boolean };
  agents: RoutedAgent[];
  rule: { name: string; conditions: RoutingConditions; requiredSkills: RequiredSkill[] };
}

export interface RoutingMade {
  groupId: string;
  ruleId: string;
}

/** Sets an agent's status the way their own switch does (PUT …/status), checking the answer. */
export async function setAgentStatus(h: PacerHarness, userId: string, status: AgentStatus): Promise<void> {
  const profile = bodyOf(await h.api(`/api/v1/routing/agents/${userId}/status`, { method: 'PUT', body: { status } }), agentResponse);
  assert.equal(profile.status, status);
}

export async function makeRouting(h: PacerHarness, s: RoutingSetUp): Promise<RoutingMade> {
  const group = bodyOf(await h.api('/api/v1/routing/groups', { body: s.group }), groupResponse, 201);
  for (const a of s.agents) {
    assert.equal((await h.api(`/api/v1/routing/groups/${group.id}/members`, { body: { userId: a.user.id } })).status, 201);
    bodyOf(await h.api(`/api/v1/routing/agents/${a.user.id}`, { method: 'PUT', body: { capacity: a.capacity, skills: a.skills } }), agentResponse);
    await setAgentStatus(h, a.user.id, a.status);
  }
  const rule = bodyOf(await h.api('/api/v1/routing/rules', { body: { groupId: group.id, ...s.rule } }), ruleResponse, 201);
  return { groupId: group.id, ruleId: rule.id };
}
