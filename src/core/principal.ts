/** Who is acting: a role and, for a customer, the organization it is bound to. */
export const ROLES = ['admin', 'agent', 'customer'] as const;

export type Role = (typeof ROLES)[number];

export interface Principal {
  role: Role;
  keyId: string | null;
  name: string;
  organizationId: string | null;
}
