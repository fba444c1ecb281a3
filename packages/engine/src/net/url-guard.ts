import { lookup as dnsLookup } from 'node:dns';
import ipaddr from 'ipaddr.js';

/** Operator options for outbound requests to user-supplied URLs. */
export interface OutboundPolicy {
  /**
   * Allow loopback (127/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7), carrier-grade NAT
   * (100.64/10) and benchmarking ranges. Off by default: on a server these reach the operator's own
   * network. Link-local, metadata, unspecified, multicast and broadcast addresses are refused always.
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

/**
 * Classifies one address. Returns `null` when it may be contacted, else the reason for refusing.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as the IPv4 address they carry.
 */
export function refuseAddress(address: string, policy: OutboundPolicy): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const parsed = ipaddr.process(address);
  const normalized = parsed.toNormalizedString();
  const canonical = parsed.kind() === 'ipv6' ? ipaddr.IPv6.parse(normalized).toString() : normalized;
  if (METADATA_ADDRESSES.has(canonical)) return `${address} is a cloud metadata address`;
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (PRIVATE_RANGES.has(range)) {
    return policy.allowPrivateNetworks
      ? null
      : `${address} is a ${range} address; private and loopback addresses need the operator option allowPrivateNetworks`;
  }
  return `${address} is a ${range} address, which is never contacted`;
}

/**
 * Checks a URL before any connection: http(s) only, no credentials in it, no metadata host names,
 * and, when the host is an IP literal, an allowed address. Host names are checked again when they
 * are resolved (see `guardedLookup`).
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
  const host = hostOf(url);
  if (METADATA_HOSTNAMES.has(host.toLowerCase())) throw new OutboundUrlError(`${host} is a cloud metadata host`);
  if (ipaddr.isValid(host)) {
    const reason = refuseAddress(host, policy);
    if (reason) throw new OutboundUrlError(reason);
  }
  return url;
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | Array<{ address: string; family: number }>,
  family?: number,
) => void;

/**
 * A `lookup` for node:http(s) that resolves the name, refuses it when any of its addresses is
 * refused, and hands the checked addresses to the socket. The socket connects to exactly what was
 * checked, so a DNS answer that changes between check and connect (rebinding) cannot slip through.
 */
export function guardedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, family: toFamily(options.family) }, (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0) return callback(lookupError(hostname, 'no address'), []);
      for (const entry of addresses) {
        const reason = refuseAddress(entry.address, policy);
        if (reason) return callback(lookupError(hostname, `resolves to ${reason}`), []);
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

function lookupError(hostname: string, detail: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new OutboundUrlError(`${hostname} ${detail}`);
  error.code = 'EREFUSEDADDRESS';
  return error;
}
