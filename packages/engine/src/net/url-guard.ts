import { lookup as dnsLookup } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { ipv4Embedding } from './embedded-ipv4.js';

/** Operator options for outbound requests to user-supplied URLs. */
export interface OutboundPolicy {
  /**
   * Allow loopback (127/8, ::1, `localhost` names), private (10/8, 172.16/12, 192.168/16, fc00::/7),
   * carrier-grade NAT (100.64/10) and local-use NAT64 (64:ff9b:1::/48). Off by default: on a server
   * these reach the operator's own network. Link-local, metadata, unspecified, multicast, broadcast,
   * benchmarking and reserved addresses are refused always.
   */
  allowPrivateNetworks?: boolean;
}

export class OutboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

/** Cloud metadata endpoints that are not link-local (those are refused by range anyway). */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OCI
  '169.254.170.2', // AWS ECS task metadata
  '100.100.100.200', // Alibaba Cloud
  'fd00:ec2::254', // AWS over IPv6
]);
const METADATA_HOSTNAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.azure.internal']);

/** Ranges (ipaddr.js names) that only `allowPrivateNetworks` opens. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

const PRIVATE_HINT = 'private and loopback addresses need the operator option allowPrivateNetworks';

/**
 * Everything IANA has allocated for global unicast (RFC 4291 §2.4). ipaddr.js calls any IPv6
 * address it has no range for `unicast`; outside 2000::/3 that is unallocated space, which no
 * public host has and which some stacks and gateways treat in ways of their own.
 */
const GLOBAL_UNICAST: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];

/**
 * Classifies one address. Returns `null` when it may be contacted, else the reason for refusing.
 * An IPv6 address that embeds IPv4 (mapped, translated, NAT64, 6to4, Teredo) is judged by the IPv4
 * address it carries, exactly as that address would be; IPv4-compatible ::/96 is refused always.
 */
export function refuseAddress(address: string, policy: OutboundPolicy): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const parsed = ipaddr.process(address);
  return parsed instanceof ipaddr.IPv4 ? refuseIpv4(parsed, address, policy) : refuseIpv6(parsed, address, policy);
}

function refuseIpv4(address: ipaddr.IPv4, shown: string, policy: OutboundPolicy): string | null {
  if (METADATA_ADDRESSES.has(address.toString())) return `${shown} is a cloud metadata address`;
  return refuseRange(address.range(), shown, policy);
}

function refuseIpv6(address: ipaddr.IPv6, shown: string, policy: OutboundPolicy): string | null {
  // A zone id picks the interface, not the destination: judge the address without it.
  const plain = new ipaddr.IPv6(address.parts);
  if (METADATA_ADDRESSES.has(plain.toString())) return `${shown} is a cloud metadata address`;
  const embedding = ipv4Embedding(plain);
  if (embedding?.form === 'ipv4Compatible') {
    // Deprecated since 2006: no host has one, and where it goes (an automatic tunnel to the IPv4
    // address, the IPv6 default route, a translating gateway) depends on the machine and network.
    return `${shown} is an IPv4-compatible IPv6 address (::/96, deprecated by RFC 4291) carrying ${embedding.carried[0]}, which is never contacted`;
  }
  if (embedding?.form === 'rfc8215') {
    const never = embedding.possible.find((v4) => v4.range() === 'linkLocal' || METADATA_ADDRESSES.has(v4.toString()));
    if (never) return `${shown} is a local-use NAT64 address (64:ff9b:1::/48) that may carry ${never}, which is never contacted`;
    return policy.allowPrivateNetworks
      ? null
      : `${shown} is a local-use NAT64 address (64:ff9b:1::/48) of the operator's network; ${PRIVATE_HINT}`;
  }
  if (embedding) {
    for (const v4 of embedding.carried) {
      const reason = refuseIpv4(v4, v4.toString(), policy);
      if (reason) return `${shown} carries the IPv4 address ${v4} (${embedding.form}): ${reason}`;
    }
    return null;
  }
  const range = plain.range();
  if (range === 'unicast' && !plain.match(GLOBAL_UNICAST)) {
    return `${shown} is outside the global unicast range 2000::/3, which is never contacted`;
  }
  return refuseRange(range, shown, policy);
}

function refuseRange(range: string, shown: string, policy: OutboundPolicy): string | null {
  if (range === 'unicast') return null;
  if (PRIVATE_RANGES.has(range)) return policy.allowPrivateNetworks ? null : `${shown} is a ${range} address; ${PRIVATE_HINT}`;
  return `${shown} is a ${range} address, which is never contacted`;
}

/**
 * Classifies a host name before it is resolved. Returns `null` when it may be resolved, else the
 * reason for refusing: cloud metadata names always, and `localhost` and `*.localhost`, which resolve
 * to loopback by definition (RFC 6761), unless private networks are allowed. Names are compared as
 * DNS compares them: case-insensitively and without the trailing dot of a fully qualified name.
 */
export function refuseHostName(name: string, policy: OutboundPolicy): string | null {
  const host = name.toLowerCase().replace(/\.+$/, '');
  if (METADATA_HOSTNAMES.has(host)) return `${name} is a cloud metadata host`;
  if ((host === 'localhost' || host.endsWith('.localhost')) && !policy.allowPrivateNetworks) {
    return `${name} resolves to loopback by definition (RFC 6761); ${PRIVATE_HINT}`;
  }
  return null;
}

/**
 * Checks a URL before any connection: http(s) only, no credentials in it, and an allowed host — an
 * IP literal by `refuseAddress`, a name by `refuseHostName`. Names are checked again when they are
 * resolved (see `guardedLookup`).
 */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError(`"${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundUrlError(`the scheme ${url.protocol} is not allowed; use http or https`);
  }
  if (url.username || url.password) throw new OutboundUrlError('credentials in the URL are not allowed; use headers');
  // The URL parser has already turned decimal, octal and hex IPv4 forms into dotted decimal.
  const host = hostOf(url);
  const reason = ipaddr.isValid(host) ? refuseAddress(host, policy) : refuseHostName(host, policy);
  if (reason) throw new OutboundUrlError(reason);
  return url;
}

/** The host of a URL without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | Array<{ address: string; family: number }>,
  family?: number,
) => void;

/** How `guardedLookup` resolves names: `node:dns` `lookup` with `all: true` (replaceable in tests). */
export type Resolver = (
  hostname: string,
  options: { all: true; family: 0 | 4 | 6 },
  callback: (error: NodeJS.ErrnoException | null, addresses: Array<{ address: string; family: number }>) => void,
) => void;

/**
 * A `lookup` for node:http(s) that refuses the name by `refuseHostName` before resolving it,
 * refuses it when any of its addresses is refused, and hands the checked addresses to the socket.
 * The socket connects to exactly what was checked, so a DNS answer that changes between check and
 * connect (rebinding) cannot slip through.
 */
export function guardedLookup(policy: OutboundPolicy, resolve: Resolver = dnsLookup) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    const refusedName = refuseHostName(hostname, policy);
    if (refusedName) {
      callback(refusedError(refusedName), []);
      return;
    }
    resolve(hostname, { all: true, family: toFamily(options.family) }, (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0) return callback(refusedError(`${hostname} has no address`), []);
      for (const entry of addresses) {
        const reason = refuseAddress(entry.address, policy);
        if (reason) return callback(refusedError(`${hostname} resolves to ${reason}`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function toFamily(family: number | string | undefined): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

function refusedError(message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new OutboundUrlError(message);
  error.code = 'EREFUSEDADDRESS';
  return error;
}
