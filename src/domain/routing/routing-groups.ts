/**
 * Routing groups (queues) and who is in them. The edge (src/http/kit/routing-schemas.ts) checks
 * the shape; here are the rules that need the store: a name is taken once, a member is a staff
 * user, a group that rules still send tickets to is not deleted.
 */
import crypto from 'node:crypto';
import type { Db, RoutingGroupRow } from '../../db/schema';
import {
  addGroupMember,
  countRulesOfGroup,
  groupIdsOfUser,
  deleteRoutingGroup,
  findRoutingGroup,
  insertRoutingGroup,
  listGroupMembers,
  removeGroupMember,
  updateRoutingGroup,
  type GroupMemberRow,
  type RoutingGroupFields,
} from '../../db/repositories/routing-groups';
import { findUser, isStaffRole } from '../../db/repositories/users';
import { Conflict, InvalidInput, NotFound } from '../../core/errors';
import { isUniqueViolation } from '../../db/pg-errors';
import type { AgentStatusListener } from './agent-status';

export const ROUTING_STRATEGIES = ['round_robin', 'least_loaded', 'skill_based', 'deadline_aware'] as const;

export type RoutingGroupInput = RoutingGroupFields;

const nameTaken = (name: string) => new Conflict('conflict', `a routing group named "${name}" exists`, [{ path: 'name', message: 'a routing group with this name exists' }]);

export async function createRoutingGroup(db: Db, input: RoutingGroupInput): Promise<RoutingGroupRow> {
  try {
    return await insertRoutingGroup(db, crypto.randomUUID(), input);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

export async function editRoutingGroup(db: Db, id: string, input: RoutingGroupInput): Promise<RoutingGroupRow> {
  let g: RoutingGroupRow | undefined;
  try {
    g = await updateRoutingGroup(db, id, input);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
  if (!g) throw new NotFound('routing group');
  return g;
}

export async function removeRoutingGroup(db: Db, id: string): Promise<void> {
  const rules = await countRulesOfGroup(db, id);
  if (rules > 0) throw new Conflict('in_use', `${rules} routing rule(s) still send tickets to this group: change or delete them first`);
  if (!(await deleteRoutingGroup(db, id))) throw new NotFound('routing group');
}

export async function requireRoutingGroup(db: Db, id: string): Promise<RoutingGroupRow> {
  const g = await findRoutingGroup(db, id);
  if (!g) throw new NotFound('routing group');
  return g;
}

/** A user routing may hand tickets to: an existing, staff account (a customer never takes tickets). */
export async function requireAgentUser(db: Db, userId: string, path = 'userId') {
  const u = await findUser(db, userId);
  if (!u) throw new InvalidInput('no such user', [{ path, message: 'no such user' }], 'unknown_user');
  if (!isStaffRole(u.role)) throw new InvalidInput('only staff users take tickets', [{ path, message: 'not an agent (a customer account)' }], 'not_an_agent');
  return u;
}

export async function addMember(db: Db, listener: AgentStatusListener, groupId: string, userId: string): Promise<GroupMemberRow[]> {
  await requireRoutingGroup(db, groupId);
  await requireAgentUser(db, userId);
  await addGroupMember(db, groupId, userId);
  await listener.agentSettingsChanged({ userId, cause: 'membership', groupIds: await groupIdsOfUser(db, userId) });
  return listGroupMembers(db, groupId);
}

export async function removeMember(db: Db, listener: AgentStatusListener, groupId: string, userId: string): Promise<void> {
  await requireRoutingGroup(db, groupId);
  if (!(await removeGroupMember(db, groupId, userId))) throw new NotFound('group member');
  // The group just left is told too: its workflow stops counting on the agent.
  await listener.agentSettingsChanged({ userId, cause: 'membership', groupIds: [...new Set([...(await groupIdsOfUser(db, userId)), groupId])] });
}
