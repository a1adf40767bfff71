/**
 * Tells routing of every agent change: each routing workflow of the agent's groups gets
 * `agentChanged` and plans again (an agent gone offline hands tickets back, one come online takes
 * queued ones). Started if none runs, since an agent going offline with the group's tickets
 * needs a pass even when nothing is queued. Idempotent: the workflow re-reads the agent.
 */
import type { Client } from '@temporalio/client';
import type { AgentStatusListener } from '../domain/routing/agent-status';
import { agentChangedSignal, routingWorkflowId, type RoutingWorkflowInput } from '../../workflows/contract/routing';

export function routingStatusListener(client: Client, taskQueue: string): AgentStatusListener {
  const tell = async (userId: string, groupIds: string[]) => {
    for (const groupId of groupIds) {
      const input: RoutingWorkflowInput = { groupId };
      await client.workflow.signalWithStart('routingWorkflow', { workflowId: routingWorkflowId(groupId), taskQueue, args: [input], signal: agentChangedSignal, signalArgs: [{ userId }] });
    }
  };
  return {
    agentStatusChanged: (change) => tell(change.userId, change.groupIds),
    agentSettingsChanged: (change) => tell(change.userId, change.groupIds),
  };
}
