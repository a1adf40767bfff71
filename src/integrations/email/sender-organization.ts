/**
 * Which organization a sender belongs to, by organizations.email_domains: an entry is a domain
 * ("acme.com") or a whole address ("ceo@gmail.com"); an address entry wins over a domain, so
 * a customer using a shared mail provider can still be placed.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

export async function organizationForSender(db: Kysely<Database>, address: string): Promise<string | null> {
  for (const entry of [address.toLowerCase(), domainOf(address)]) {
    const row = await db
      .selectFrom('organizations')
      .select('id')
      .where(sql<boolean>`exists (select 1 from jsonb_array_elements_text(email_domains) d where lower(trim(d)) = ${entry})`)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (row) return row.id;
  }
  return null;
}

/** True when the address or its domain is listed for the organization. */
export async function senderBelongsTo(db: Kysely<Database>, organizationId: string, address: string): Promise<boolean> {
  const row = await db
    .selectFrom('organizations')
    .select('id')
    .where('id', '=', organizationId)
    .where(sql<boolean>`exists (select 1 from jsonb_array_elements_text(email_domains) d where lower(trim(d)) in (${address.toLowerCase()}, ${domainOf(address)}))`)
    .executeTakeFirst();
  return row !== undefined;
}
