/**
 * What a component is right now: the worst of the status an administrator set by hand and
 * the impact of every incident stretch still open on it. The page's overall status is the
 * worst over all components.
 */
import { worstStatus, type ComponentStatus } from './component-status';

export function currentComponentStatus(manual: string, openImpacts: Iterable<string>): ComponentStatus {
  return worstStatus([manual, ...openImpacts]);
}

export function overallStatus(componentStatuses: Iterable<ComponentStatus>): ComponentStatus {
  return worstStatus(componentStatuses);
}
