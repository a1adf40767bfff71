/**
 * An agent's status (online, away, offline): set from the console or the API, and set to
 * offline when they sign out of their last session. Routing has to hear of each change (an
 * agent going offline may hand tickets back; one coming online can take queued ones), so a
 * change goes to an `AgentStatusListener`; the app wires the one that tells the routing
 * workflows of the agent's groups (src/app/routing-status-listener.ts).
 */
import type { AgentProfileRow, AgentStatus, Db } from '../../db/schema';
import { findAgentProfile, setAgentStatus as writeAgentStatus } from '../../db/repositories/routing-agents';
import { groupIdsOfUser } from '../../db/repositories/routing-groups';
import { findUser, isStaffRole, liveSessionCount } from '../../db/repositories/users';
import { InvalidInput, NotFound } from '../../core/errors';

export const AGENT_STATUSES = ['online', 'away', 'offline'] as const satisfies readonly AgentStatus[];

/** Why the status changed: the console or API (someone chose it), or a sign-out. */
export type AgentStatusCause = 'set' | 'signed_out';

export interface AgentStatusChange {
  userId: string;
  status: AgentStatus;
  /** When the agent entered this status (unchanged when it was set again to what it was). */
  since: Date;
  /** False when the status was already this one; routing may still re-plan (it is idempotent). */
  changed: boolean;
  cause: AgentStatusCause;
  /** The routing groups the agent is a member of, by id. */
  groupIds: string[];
}

/** A change of what routing plans with other than the status: the profile (capacity, skills, calendar…) or a group's members. */
export interface AgentSettingsChange {
  userId: string;
  cause: 'profile' | 'membership';
  /** The groups concerned: the agent's groups, plus the one they just left. */
  groupIds: string[];
}

/**
 * Hears every status write (and profile or membership change) after it is committed. Called
 * for a repeated status too, so a caller that retries after a failed notification still
 * reaches routing; implementations must be idempotent (routing re-reads the agent's state
 * rather than trusting the message).
 */
export interface AgentStatusListener {
  agentStatusChanged(change: AgentStatusChange): Promise<void>;
  agentSettingsChanged(change: AgentSettingsChange): Promise<void>;
}


/** Saves a staff user's status and tells the listener. Refuses customers and unknown users. */
export async function changeAgentStatus(db: Db, listener: AgentStatusListener, userId: string, status: AgentStatus, cause: AgentStatusCause = 'set', at = new Date()): Promise<AgentProfileRow> {
  const user = await findUser(db, userId);
  if (!user) throw new NotFound('user');
  if (!isStaffRole(user.role)) throw new InvalidInput('only staff users take tickets', [{ path: 'userId', message: 'not an agent (a customer account)' }], 'not_an_agent');
  const { row, changed } = await writeAgentStatus(db, userId, status, at);
  await listener.agentStatusChanged({ userId, status, since: row.status_since, changed, cause, groupIds: await groupIdsOfUser(db, userId) });
  return row;
}

/**
 * After a sign-out: a staff user with no live session left goes offline (signing out on one
 * machine while still working on another is not leaving). A user with no profile row was
 * never online, so nothing is written for them.
 */
export async function afterSignOut(db: Db, listener: AgentStatusListener, userId: string): Promise<void> {
  if ((await liveSessionCount(db, userId)) > 0) return;
  const profile = await findAgentProfile(db, userId);
  if (!profile || profile.status === 'offline') return;
  await changeAgentStatus(db, listener, userId, 'offline', 'signed_out');
}
