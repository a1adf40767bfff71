/**
 * Compile-time guard: each documented response schema has exactly the fields (to the last
 * nested one) of the view the route answers with, so renaming, adding or dropping a field
 * in a view without the document is a type error. Types of leaves are not compared (rows
 * carry plain strings where the document names the enum); the contract fuzz checks values.
 * Views built inside a route function have no nameable type; the fuzz covers those.
 */
import type { z } from 'zod';
import type { IncidentView } from '../../../../workflows/contract/incident';
import type { SlaState } from '../../../../workflows/contract/ticket';
import type { previewSla } from '../../../../workflows/sla/sla-preview';
import type { incidentView } from '../../../domain/incidents/incident-reads';
import type { StatusSnapshot } from '../../../domain/status/status-snapshot';
import type { TicketView } from '../../../domain/tickets/ticket-view';
import type { userView } from '../../../domain/users/users';
import type { componentView } from '../routes/components';
import type * as r from './responses';

type Shape<T> = T extends readonly (infer U)[] ? Shape<U>[] : T extends object ? { [K in keyof T]-?: Shape<T[K]> } : 'leaf';
type Same<A, B> = [Shape<A>] extends [Shape<B>] ? ([Shape<B>] extends [Shape<A>] ? true : false) : false;
type Out<S extends z.ZodType> = z.output<S>;

export const viewKeysMatch: [
  Same<Out<typeof r.ticketResponse>, TicketView>,
  Same<Out<typeof r.ticketSlaResponse>, SlaState & { acknowledged: { first_response?: { by: string; at: string; source: string }; resolution?: { by: string; at: string; source: string } } }>,
  Same<Out<typeof r.slaPreviewResponse>, ReturnType<typeof previewSla>>,
  Same<Out<typeof r.incidentResponse>, ReturnType<typeof incidentView>>,
  Same<NonNullable<Out<typeof r.incidentDetailResponse>['sla']>, IncidentView>,
  Same<Out<typeof r.componentResponse>, ReturnType<typeof componentView>>,
  Same<Out<typeof r.userResponse>, ReturnType<typeof userView>>,
  Same<Out<typeof r.statusResponse>, StatusSnapshot>,
] = [true, true, true, true, true, true, true, true];
