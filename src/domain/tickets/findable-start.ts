/**
 * Whether the Temporal namespace has Pacer's search attributes registered (temporal-dev.yaml and
 * temporal-cluster.yaml register them; a cluster configured by hand may not). A workflow told to
 * upsert attributes the namespace does not know would fail every workflow task, and a start that
 * carries them would be refused, so tickets and incidents are indexed only where this holds.
 * Asked once per client; a server without the operator API (the time-skipping test server) has none.
 */
import type { Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_KEYS } from '../../../workflows/contract/search-attributes';

const known = new WeakMap<Client, Promise<boolean>>();
/** gRPC's UNIMPLEMENTED status code. */
const UNIMPLEMENTED = 12;

function searchAttributesRegistered(client: Client): Promise<boolean> {
  let answer = known.get(client);
  if (!answer) {
    answer = client.connection.operatorService.listSearchAttributes({ namespace: client.options.namespace }).then(
      (listed) => Object.values(SEARCH_ATTRIBUTE_KEYS).every((k) => k.name in (listed.customAttributes ?? {})),
      (err: unknown) => {
        if ((err as { code?: unknown }).code === UNIMPLEMENTED) return false;
        // Temporal unreachable: ask again next time (the start itself fails meanwhile).
        known.delete(client);
        throw err;
      },
    );
    known.set(client, answer);
  }
  return answer;
}

/** The start options that make a workflow findable (its attributes, and the word to keep them current), where the namespace can hold them. */
export async function findableStart<I extends { indexed?: boolean }>(client: Client, input: I, attributes: (input: I) => SearchAttributePair[]): Promise<{ args: [I]; typedSearchAttributes?: SearchAttributePair[] }> {
  if (!(await searchAttributesRegistered(client))) return { args: [input] };
  return { args: [{ ...input, indexed: true }], typedSearchAttributes: attributes(input) };
}
