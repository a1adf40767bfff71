/**
 * People who sign in: admins, managers, agents, and customers of one organization. A user
 * acts through the same Principal as an API key (a manager works tickets as an agent), so
 * every rule the API enforces for a role holds in the console and the portal too.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../../core/errors';
import { hashPassword } from './password';
import type { Principal, Role } from '../../core/principal';
import { isUniqueViolation } from '../../db/pg-errors';

export const USER_ROLES = ['admin', 'manager', 'agent', 'customer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const isStaff = (u: { role: string }) => u.role !== 'customer';

export function principalOfUser(u: UserRow): Principal {
  const role: Role = u.role === 'admin' ? 'admin' : u.role === 'customer' ? 'customer' : 'agent';
  // keyId scopes Idempotency-Keys: each user has its own.
  return { role, keyId: `user:${u.id}`, name: u.name, organizationId: u.organization_id };
}

/** What an agent's "take" writes into the ticket's assignee, and what "mine" matches. */
export const assigneeOf = (u: { email: string }) => u.email;

export interface NewUser {
  email: string;
  name: string;
  role: UserRole;
  organizationId?: string | null;
  password: string;
  timeZone?: string;
}

export interface UserPatch {
  name?: string;
  role?: UserRole;
  organizationId?: string | null;
  password?: string;
  timeZone?: string;
  disabled?: boolean;
}

function checkOrganization(role: string, organizationId: string | null | undefined) {
  if (role === 'customer' && !organizationId) throw new InvalidInput('a customer belongs to an organization', [{ path: 'organizationId', message: 'Required for customers' }]);
  if (role !== 'customer' && organizationId) throw new InvalidInput('only customers belong to an organization', [{ path: 'organizationId', message: 'only for customers' }]);
}

async function requireOrganization(db: Kysely<Database>, organizationId: string | null | undefined) {
  if (!organizationId) return;
  const org = await db.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst();
  if (!org) throw new InvalidInput('unknown organization', [{ path: 'organizationId', message: 'no such organization' }]);
}

export async function createUser(db: Kysely<Database>, u: NewUser): Promise<UserRow> {
  checkOrganization(u.role, u.organizationId);
  await requireOrganization(db, u.organizationId);
  try {
    return await db
      .insertInto('users')
      .values({
        id: crypto.randomUUID(),
        email: u.email.toLowerCase(),
        name: u.name,
        role: u.role,
        organization_id: u.organizationId ?? null,
        password_hash: await hashPassword(u.password),
        time_zone: u.timeZone ?? 'UTC',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('conflict', `a user with the email ${u.email} exists`);
    throw err;
  }
}

export async function updateUser(db: Kysely<Database>, id: string, patch: UserPatch): Promise<UserRow> {
  const before = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw new NotFound('user');
  const role = patch.role ?? before.role;
  const organizationId = patch.organizationId !== undefined ? patch.organizationId : role === 'customer' ? before.organization_id : null;
  checkOrganization(role, organizationId);
  await requireOrganization(db, organizationId);
  const row = await db
    .updateTable('users')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      role,
      organization_id: organizationId,
      ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
      ...(patch.password !== undefined && { password_hash: await hashPassword(patch.password) }),
      ...(patch.disabled !== undefined && { disabled_at: patch.disabled ? (before.disabled_at ?? new Date()) : null }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // A new password, role or organization, or a disabled account: every open session ends.
  if (patch.password !== undefined || patch.disabled || role !== before.role || organizationId !== before.organization_id) {
    await db.deleteFrom('sessions').where('user_id', '=', id).execute();
  }
  return row;
}

export function userView(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    organizationId: u.organization_id,
    timeZone: u.time_zone,
    disabled: u.disabled_at !== null,
    createdAt: new Date(u.created_at).toISOString(),
    updatedAt: new Date(u.updated_at).toISOString(),
  };
}
