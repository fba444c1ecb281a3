import ipaddr from 'ipaddr.js';

/**
 * How an IPv6 address carries IPv4, named as ipaddr.js names the range where it has a name:
 * `ipv4Compatible` ::/96 (RFC 4291, deprecated), `rfc6145` ::ffff:0:0:0/96 (IPv4-translated),
 * `rfc6052` 64:ff9b::/96 (well-known NAT64 prefix), `rfc8215` 64:ff9b:1::/48 (local-use NAT64),
 * `6to4` 2002::/16, `teredo` 2001::/32. IPv4-mapped ::ffff:0:0/96 is not here: `ipaddr.process`
 * already turns it into the IPv4 address.
 */
export type Ipv4Embedding =
  /** Traffic to the address reaches every one of `carried` (Teredo: its server and its client). */
  | { form: 'ipv4Compatible' | 'rfc6145' | 'rfc6052' | '6to4' | 'teredo'; carried: ipaddr.IPv4[] }
  /**
   * Where a local-use NAT64 prefix puts the IPv4 address depends on the prefix length its operator
   * chose (RFC 6052 §2.2): `possible` holds the address read at every position the prefix allows.
   */
  | { form: 'rfc8215'; possible: ipaddr.IPv4[] };

/** The IPv4 addresses an IPv6 address embeds, or `undefined` for an address that embeds none. */
export function ipv4Embedding(address: ipaddr.IPv6): Ipv4Embedding | undefined {
  const bytes = address.toByteArray();
  const at = (start: number) => new ipaddr.IPv4(bytes.slice(start, start + 4));
  switch (address.range()) {
    case 'rfc6145':
      return { form: 'rfc6145', carried: [at(12)] };
    case 'rfc6052':
      return address.parts[2] === 0
        ? { form: 'rfc6052', carried: [at(12)] }
        : { form: 'rfc8215', possible: [48, 56, 64, 96].map((prefixLength) => rfc6052Ipv4(bytes, prefixLength)) };
    case '6to4':
      return { form: '6to4', carried: [at(2)] };
    case 'teredo':
      // RFC 4380 §4: the server's address in clear, the client's (its NAT's) with every bit inverted.
      return { form: 'teredo', carried: [at(4), new ipaddr.IPv4(bytes.slice(12, 16).map((byte) => byte ^ 0xff))] };
    case 'unicast':
      // ipaddr.js has no name for ::/96; `::` and `::1` in it are already `unspecified` and `loopback`.
      return address.parts.slice(0, 6).every((part) => part === 0) ? { form: 'ipv4Compatible', carried: [at(12)] } : undefined;
    default:
      return undefined;
  }
}

/** RFC 6052 §2.2: the 32 bits after the prefix, skipping bits 64–71 (the `u` octet, always zero). */
function rfc6052Ipv4(bytes: number[], prefixLength: number): ipaddr.IPv4 {
  const octets: number[] = [];
  for (let index = prefixLength / 8; octets.length < 4; index += 1) {
    if (index !== 8) octets.push(bytes[index]!);
  }
  return new ipaddr.IPv4(octets);
}
