/** The workflow bundle's entry: every workflow type the worker registers. */
export { ticketWorkflow } from './ticket/ticket-workflow';
export { incidentWorkflow } from './incident/incident-workflow';
export { rolloutWorkflow } from './rollout/rollout-workflow';
export { contractPeriodsWorkflow } from './statements/contract-periods-workflow';
export { routingWorkflow } from './routing/routing-workflow';
