/**
 * Where outbound webhooks may go. A subscription URL is chosen by an API caller and fetched by
 * the worker from inside the network, so loopback, link-local (cloud metadata at
 * 169.254.169.254), private, shared and reserved ranges are refused, IPv4 and IPv6 alike,
 * unless PACER_WEBHOOK_ALLOW_PRIVATE says otherwise. Names are checked by what they resolve
 * to, at subscription and again at delivery, because DNS can change in between; at delivery
 * the check sits in the socket's own lookup, so the address checked is the address connected to.
 */
import dns from 'node:dns';
import net from 'node:net';

const blocked = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64: the embedded IPv4 address decides, and it may be private
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(address, prefix, 'ipv6');
}

/** Whether an IP address (v4, v6, or v4-mapped v6) lies in a range webhooks may not reach. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  // BlockList matches ::ffff:a.b.c.d against the IPv4 subnets itself.
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;
const systemLookup: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** The URL's host without IPv6 brackets and a trailing root dot. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/**
 * Why a webhook URL may not be used, or null when it may. A name that does not resolve now is
 * allowed (it may later; delivery checks again); a name that resolves to any refused address is not.
 */
export async function webhookUrlProblem(raw: string, opts: { allowPrivate: boolean; lookup?: LookupAll }): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials';
  if (opts.allowPrivate) return null;
  const host = hostOf(url);
  if (net.isIP(host)) return isPrivateAddress(host) ? `${host} is a loopback, link-local or private address` : null;
  // RFC 6761: these names are loopback whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback name`;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await (opts.lookup ?? systemLookup)(host);
  } catch {
    return null;
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad ? `${host} resolves to ${bad.address}, a loopback, link-local or private address` : null;
}

/** A refusal that will not change by retrying with the same subscription (delivery gives up on it). */
export class WebhookAddressRefused extends Error {
  readonly code = 'EWEBHOOKADDRESS';
}

/**
 * A `lookup` for node:http(s) that refuses private addresses: the socket connects only to an
 * address that passed the check. IP-literal hosts never reach a lookup; check them with
 * webhookUrlProblem first.
 */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new WebhookAddressRefused(`${hostname} resolves to ${bad.address}, a loopback, link-local or private address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
