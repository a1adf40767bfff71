/**
 * Routing under /api/v1/routing: groups (queues) with their members and release settings, the
 * ordered rules that send tickets to them, and each agent's routing profile and status. Staff
 * read; admins write, as with the other settings; an agent may set their own status (admins
 * anyone's). Shapes are checked by src/http/kit/routing-schemas (shared with the console's
 * forms), the rest by the domain (src/domain/routing), which throws PacerErrors.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AgentProfileRow, Db, RoutingGroupRow, RoutingRuleRow } from '../../../db/schema';
import { listGroupMembers, listRoutingGroups, routingGroupSettings, type GroupMemberRow } from '../../../db/repositories/routing-groups';
import { listRoutingRules } from '../../../db/repositories/routing-rules';
import { listAgentsWithProfiles, loadsOfAssignees } from '../../../db/repositories/routing-agents';
import { unassignedOfGroup, type QueuedTicketRow } from '../../../db/repositories/routing-decisions';
import { addMember, createRoutingGroup, editRoutingGroup, removeMember, removeRoutingGroup, requireRoutingGroup, ROUTING_STRATEGIES } from '../../../domain/routing/routing-groups';
import { createRoutingRule, editRoutingRule, removeRoutingRule, reorderRoutingRules } from '../../../domain/routing/routing-rules';
import { profileOrDefault, readAgentProfile, saveAgentProfile } from '../../../domain/routing/agent-profiles';
import { AGENT_STATUSES, changeAgentStatus, type AgentStatusListener } from '../../../domain/routing/agent-status';
import { agentProfileSchema, agentStatusSchema, groupMemberSchema, reorderRulesSchema, routingGroupSchema, routingRuleSchema } from '../../kit/routing-schemas';
import { principalOf, requireRole } from '../../kit/auth';
import { Forbidden } from '../../../core/errors';
import { uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import type { Operation } from '../openapi/operation';
import { idOf, iso } from './settings-params';
import { PRIORITIES } from '../../../../workflows/contract/ticket';

const memberView = (m: GroupMemberRow) => ({ userId: m.user_id, email: m.email, name: m.name });
const groupView = (g: RoutingGroupRow, members: GroupMemberRow[]) => ({
  ...routingGroupSettings(g),
  members: members.map(memberView),
  createdAt: iso(g.created_at)!,
  updatedAt: iso(g.updated_at)!,
});
const ruleView = (r: RoutingRuleRow) => ({
  id: r.id,
  position: r.position,
  name: r.name,
  enabled: r.enabled,
  conditions: r.conditions,
  groupId: r.group_id,
  requiredSkills: r.required_skills,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});
const profileView = (u: { id: string; email: string; name: string; role: string; time_zone: string }, p: AgentProfileRow, openTickets: number) => ({
  userId: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  timeZone: u.time_zone,
  status: p.status,
  statusSince: iso(p.status_since)!,
  capacity: p.capacity,
  capacityByPriority: p.capacity_by_priority,
  calendarId: p.calendar_id,
  daysOff: p.days_off,
  languages: p.languages,
  skills: p.skills,
  openTickets,
});
const queuedView = (t: QueuedTicketRow) => ({ id: t.id, number: t.number, subject: t.subject, priority: t.priority, status: t.status, createdAt: iso(t.created_at)!, requiredSkills: t.required_skills ?? [] });

const userIdOf = (req: Request) => parse(uuid, req.params.userId, 'params');

export function routingRoutes(db: Db, listener: AgentStatusListener): Router {
  const r = Router();
  const readers = requireRole('admin', 'agent');
  const admin = requireRole('admin');
  const withMembers = async (g: RoutingGroupRow) => groupView(g, await listGroupMembers(db, g.id));
  const openOf = async (email: string) => (await loadsOfAssignees(db, [email])).get(email)?.total ?? 0;

  r.get('/routing/groups', readers, async (_req, res) => {
    res.json({ data: await Promise.all((await listRoutingGroups(db)).map(withMembers)) });
  });
  r.get('/routing/groups/:id', readers, async (req, res) => res.json(await withMembers(await requireRoutingGroup(db, idOf(req)))));
  r.post('/routing/groups', admin, async (req, res) => {
    const g = await createRoutingGroup(db, parse(routingGroupSchema, req.body));
    res.status(201).location(`/api/v1/routing/groups/${g.id}`).json(groupView(g, []));
  });
  r.put('/routing/groups/:id', admin, async (req, res) => {
    const id = idOf(req);
    res.json(await withMembers(await editRoutingGroup(db, id, parse(routingGroupSchema, req.body))));
  });
  r.delete('/routing/groups/:id', admin, async (req, res) => {
    await removeRoutingGroup(db, idOf(req));
    res.status(204).end();
  });
  r.post('/routing/groups/:id/members', admin, async (req, res) => {
    const id = idOf(req);
    const { userId } = parse(groupMemberSchema, req.body);
    res.status(201).json({ data: (await addMember(db, listener, id, userId)).map(memberView) });
  });
  r.delete('/routing/groups/:id/members/:userId', admin, async (req, res) => {
    await removeMember(db, listener, idOf(req), userIdOf(req));
    res.status(204).end();
  });
  r.get('/routing/groups/:id/queue', readers, async (req, res) => {
    const g = await requireRoutingGroup(db, idOf(req));
    res.json({ data: (await unassignedOfGroup(db, g.id)).map(queuedView) });
  });

  r.get('/routing/rules', readers, async (_req, res) => res.json({ data: (await listRoutingRules(db)).map(ruleView) }));
  r.post('/routing/rules', admin, async (req, res) => {
    const rule = await createRoutingRule(db, parse(routingRuleSchema, req.body));
    res.status(201).location(`/api/v1/routing/rules/${rule.id}`).json(ruleView(rule));
  });
  // Registered before /routing/rules/:id so "reorder" is never read as an id.
  r.post('/routing/rules/reorder', admin, async (req, res) => {
    const { ruleIds } = parse(reorderRulesSchema, req.body);
    res.json({ data: (await reorderRoutingRules(db, ruleIds)).map(ruleView) });
  });
  r.put('/routing/rules/:id', admin, async (req, res) => {
    const id = idOf(req);
    res.json(ruleView(await editRoutingRule(db, id, parse(routingRuleSchema, req.body))));
  });
  r.delete('/routing/rules/:id', admin, async (req, res) => {
    await removeRoutingRule(db, idOf(req));
    res.status(204).end();
  });

  r.get('/routing/agents', readers, async (_req, res) => {
    const agents = (await listAgentsWithProfiles(db)).filter((a) => a.disabled_at === null);
    const loads = await loadsOfAssignees(db, agents.map((a) => a.email));
    res.json({ data: agents.map((a) => profileView({ ...a, id: a.user_id }, profileOrDefault(a.user_id, a.profile), loads.get(a.email)?.total ?? 0)) });
  });
  r.get('/routing/agents/:userId', readers, async (req, res) => {
    const { user, profile } = await readAgentProfile(db, userIdOf(req));
    res.json(profileView(user, profile, await openOf(user.email)));
  });
  r.put('/routing/agents/:userId', admin, async (req, res) => {
    const userId = userIdOf(req);
    const body = parse(agentProfileSchema, req.body);
    await saveAgentProfile(db, listener, userId, body);
    const { user, profile } = await readAgentProfile(db, userId);
    res.json(profileView(user, profile, await openOf(user.email)));
  });
  r.put('/routing/agents/:userId/status', readers, async (req, res) => {
    const userId = userIdOf(req);
    const p = principalOf(req);
    // An agent sets their own status; only an admin sets someone else's.
    if (p.role !== 'admin' && p.keyId !== `user:${userId}`) throw new Forbidden("only an admin sets another agent's status");
    const { status } = parse(agentStatusSchema, req.body);
    await changeAgentStatus(db, listener, userId, status);
    const { user, profile } = await readAgentProfile(db, userId);
    res.json(profileView(user, profile, await openOf(user.email)));
  });
  return r;
}

// ---- the contract ------------------------------------------------------------------------

const instant = z.iso.datetime({ offset: true });
const skill = z.object({ name: z.string(), level: z.number().int() });
const requiredSkill = z.object({ name: z.string(), minLevel: z.number().int() });
const member = z.object({ userId: z.uuid(), email: z.string(), name: z.string() }).meta({ id: 'RoutingGroupMember' });
export const groupResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    strategy: z.enum(ROUTING_STRATEGIES),
    releaseOnOffline: z.boolean(),
    awayReleaseMinutes: z.number().int().nullable().describe('null: an away agent keeps their tickets'),
    releaseOnShiftEnd: z.boolean(),
    answerMinutes: z.number().int().describe('an agent is eligible only if min(shift end, deadline) − now is at least this'),
    members: z.array(member),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'RoutingGroup' });
const conditions = z.object({
  organizationIds: z.array(z.uuid()).optional(),
  tiers: z.array(z.string()).optional(),
  priorities: z.array(z.enum(PRIORITIES)).optional(),
  categories: z.array(z.string()).optional(),
  channels: z.array(z.string()).optional(),
  languages: z.array(z.string()).optional(),
  subjectWords: z.array(z.string()).optional(),
});
export const ruleResponse = z
  .object({ id: z.uuid(), position: z.number().int(), name: z.string(), enabled: z.boolean(), conditions, groupId: z.uuid(), requiredSkills: z.array(requiredSkill), createdAt: instant, updatedAt: instant })
  .meta({ id: 'RoutingRule' });
export const agentResponse = z
  .object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
    timeZone: z.string(),
    status: z.enum(AGENT_STATUSES),
    statusSince: instant,
    capacity: z.number().int(),
    capacityByPriority: z.record(z.string(), z.number().int()),
    calendarId: z.uuid().nullable().describe('null: always working'),
    daysOff: z.array(z.iso.date()),
    languages: z.array(z.string()),
    skills: z.array(skill),
    openTickets: z.number().int().describe('open tickets assigned to the agent now'),
  })
  .meta({ id: 'AgentProfile' });
export const queuedResponse = z.object({ id: z.uuid(), number: z.string(), subject: z.string(), priority: z.string(), status: z.string(), createdAt: instant, requiredSkills: z.array(requiredSkill) }).meta({ id: 'QueuedTicket' });

const staff = ['admin', 'agent'] as const;
const admins = ['admin'] as const;
const byId = { id: uuid };
const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
const ok = (description: string, schema: z.ZodType) => ({ 200: { description, schema } });
const gone = { 204: { description: 'deleted; no body' } };
const tag = 'routing';

export const ROUTING_OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/routing/groups', tag, roles: staff, summary: 'Routing groups (queues) with their members', success: ok('every group, by name', list(groupResponse)) },
  { method: 'get', path: '/routing/groups/:id', tag, roles: staff, summary: 'Read a routing group', params: byId, success: ok('the group', groupResponse) },
  { method: 'post', path: '/routing/groups', tag, roles: admins, summary: 'Create a routing group', body: routingGroupSchema, errors: [409], success: { 201: { description: 'the new group', schema: groupResponse, headers: { Location: 'the new resource' } } }, description: 'A name is taken once (409 conflict).' },
  { method: 'put', path: '/routing/groups/:id', tag, roles: admins, summary: "Replace a routing group's settings", params: byId, body: routingGroupSchema, errors: [409], success: ok('the group', groupResponse) },
  { method: 'delete', path: '/routing/groups/:id', tag, roles: admins, summary: 'Delete a routing group', params: byId, errors: [409], success: gone, description: 'Refused with 409 in_use while rules send tickets to it.' },
  { method: 'post', path: '/routing/groups/:id/members', tag, roles: admins, summary: 'Add an agent to a group', params: byId, body: groupMemberSchema, success: { 201: { description: 'the members now', schema: list(member) } }, description: 'The user must be staff (400 not_an_agent for a customer account).' },
  { method: 'delete', path: '/routing/groups/:id/members/:userId', tag, roles: admins, summary: 'Remove an agent from a group', params: { id: uuid, userId: uuid }, success: gone },
  { method: 'get', path: '/routing/groups/:id/queue', tag, roles: staff, summary: "A group's unassigned open tickets, oldest first", params: byId, success: ok('at most 200 tickets', list(queuedResponse)) },
  { method: 'get', path: '/routing/rules', tag, roles: staff, summary: 'Routing rules in evaluation order', success: ok('every rule; the first enabled rule a ticket matches decides', list(ruleResponse)) },
  { method: 'post', path: '/routing/rules', tag, roles: admins, summary: 'Add a routing rule at the end of the order', body: routingRuleSchema, success: { 201: { description: 'the new rule', schema: ruleResponse, headers: { Location: 'the new resource' } } }, description: 'Every present condition list must match one of its values (subjectWords: any whole word or phrase, any case; languages: by primary subtag).' },
  { method: 'post', path: '/routing/rules/reorder', tag, roles: admins, summary: 'Put the rules in a new order', body: reorderRulesSchema, success: ok('every rule in the new order', list(ruleResponse)), description: 'ruleIds must name every rule exactly once.' },
  { method: 'put', path: '/routing/rules/:id', tag, roles: admins, summary: 'Replace a routing rule (its place in the order stays)', params: byId, body: routingRuleSchema, success: ok('the rule', ruleResponse) },
  { method: 'delete', path: '/routing/rules/:id', tag, roles: admins, summary: 'Delete a routing rule', params: byId, success: gone },
  { method: 'get', path: '/routing/agents', tag, roles: staff, summary: "Every active staff user's routing profile, status and load", success: ok('by email', list(agentResponse)) },
  { method: 'get', path: '/routing/agents/:userId', tag, roles: staff, summary: "An agent's routing profile", params: { userId: uuid }, success: ok('the profile (the defaults if never saved)', agentResponse) },
  { method: 'put', path: '/routing/agents/:userId', tag, roles: admins, summary: "Replace an agent's routing profile (skills, languages, capacity, calendar, days off)", params: { userId: uuid }, body: agentProfileSchema, success: ok('the profile', agentResponse) },
  { method: 'put', path: '/routing/agents/:userId/status', tag, roles: staff, summary: "Set an agent's status (online, away, offline)", params: { userId: uuid }, body: agentStatusSchema, errors: [403], success: ok('the profile with the new status', agentResponse), description: 'An agent signed in to the console sets their own; an admin anyone\'s. Routing hears of the change.' },
];
