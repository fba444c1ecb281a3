import { describe, expect, it } from 'vitest';
import { checkOutboundUrl, refuseAddress } from '../src/index.js';
import { guardedLookup, refuseHostName, type Resolver } from '../src/net/url-guard.js';

/**
 * The guard judged directly, never by connecting: every address below is only classified, and the
 * resolver given to `guardedLookup` is a stand-in, so no test sends a packet anywhere.
 */
const off = {};
const allow = { allowPrivateNetworks: true };

/** Expected verdict with private networks off and on: `null` allowed, else a pattern of the reason. */
type Verdict = [address: string, whenOff: RegExp | null, whenAllowed: RegExp | null];

const PRIVATE = /allowPrivateNetworks/;
const METADATA = /169\.254\.169\.254.*metadata|metadata.*169\.254\.169\.254/;

// Teredo (RFC 4380): 2001:0:<server v4>:<flags>:<port>:<client v4 with every bit inverted>.
const teredo = (server: string, client: string) => {
  const hex = (v4: string, invert: number) =>
    v4
      .split('.')
      .map((octet) => (Number(octet) ^ invert).toString(16).padStart(2, '0'))
      .join('')
      .replace(/(.{4})(.{4})/, '$1:$2');
  return `2001:0:${hex(server, 0)}:8000:63bf:${hex(client, 0xff)}`;
};

describe('url guard: IPv6 forms that embed IPv4 are judged by the IPv4 they carry', () => {
  const cases: Verdict[] = [
    // IPv4-mapped ::ffff:0:0/96 (ipaddr.process turns it into the IPv4 address).
    ['::ffff:a9fe:a9fe', /metadata/, /metadata/],
    ['::ffff:7f00:1', PRIVATE, null],
    ['::ffff:808:808', null, null],
    // IPv4-compatible ::/96: deprecated, refused always, whatever it carries.
    ['::a9fe:a9fe', /IPv4-compatible.*169\.254\.169\.254/, /IPv4-compatible.*169\.254\.169\.254/],
    ['::7f00:1', /IPv4-compatible.*127\.0\.0\.1.*never contacted/, /IPv4-compatible.*127\.0\.0\.1/],
    ['::a00:1', /IPv4-compatible/, /IPv4-compatible/],
    ['::808:808', /IPv4-compatible/, /IPv4-compatible/],
    // IPv4-translated ::ffff:0:0:0/96 (RFC 6145).
    ['::ffff:0:a9fe:a9fe', METADATA, METADATA],
    ['::ffff:0:a9fe:1', /169\.254\.0\.1 \(rfc6145\).*linkLocal/, /linkLocal/],
    ['::ffff:0:7f00:1', /127\.0\.0\.1.*loopback.*allowPrivateNetworks/, null],
    ['::ffff:0:808:808', null, null],
    // Well-known NAT64 prefix 64:ff9b::/96 (RFC 6052).
    ['64:ff9b::a9fe:a9fe', METADATA, METADATA],
    ['64:ff9b::6464:64c8', /100\.100\.100\.200.*metadata/, /100\.100\.100\.200.*metadata/],
    ['64:ff9b::7f00:1', /loopback/, null],
    ['64:ff9b::c0a8:101', /192\.168\.1\.1.*private/, null],
    ['64:ff9b::e000:1', /multicast/, /multicast/],
    ['64:ff9b::808:808', null, null],
    // Local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215): the operator's own translator.
    ['64:ff9b:1::808:808', /local-use NAT64.*allowPrivateNetworks/, null],
    ['64:ff9b:1::a9fe:a9fe', /may carry 169\.254\.169\.254/, /may carry 169\.254\.169\.254/], // /96 layout
    ['64:ff9b:1:a9fe:a9:fe00::', /may carry 169\.254\.169\.254/, /may carry 169\.254\.169\.254/], // /48 layout
    ['64:ff9b:1:0:a9:fea9:fe00:0', /may carry 169\.254\.169\.254/, /may carry 169\.254\.169\.254/], // /64 layout
    // 6to4 2002::/16: the IPv4 address is bits 16–48.
    ['2002:a9fe:a9fe::1', METADATA, METADATA],
    ['2002:7f00:1::1', /loopback/, null],
    ['2002:a00:1::1', /10\.0\.0\.1.*private/, null],
    ['2002:c058:6301::', /192\.88\.99\.1.*reserved/, /reserved/],
    ['2002:808:808::1', null, null],
    // Teredo 2001::/32: both its server and its client are judged.
    [teredo('65.54.227.120', '8.8.8.8'), null, null],
    [teredo('65.54.227.120', '169.254.169.254'), METADATA, METADATA],
    [teredo('65.54.227.120', '127.0.0.1'), /127\.0\.0\.1.*loopback/, null],
    [teredo('169.254.169.254', '8.8.8.8'), METADATA, METADATA],
    [teredo('10.0.0.1', '8.8.8.8'), /10\.0\.0\.1.*private/, null],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /192\.0\.2\.45 \(teredo\).*reserved/, /reserved/], // RFC 4380's own example
  ];

  it.each(cases)('refuseAddress(%s)', (address, whenOff, whenAllowed) => {
    for (const [policy, expected] of [
      [off, whenOff],
      [allow, whenAllowed],
    ] as const) {
      const reason = refuseAddress(address, policy);
      if (expected) expect(reason, JSON.stringify(policy)).toMatch(expected);
      else expect(reason, JSON.stringify(policy)).toBeNull();
    }
  });

  it.each(cases)('checkOutboundUrl(http://[%s]/) agrees with refuseAddress', (address, whenOff, whenAllowed) => {
    const url = `http://[${address}]:8080/turn`;
    for (const [policy, expected] of [
      [off, whenOff],
      [allow, whenAllowed],
    ] as const) {
      if (expected) expect(() => checkOutboundUrl(url, policy)).toThrow(expected);
      else expect(checkOutboundUrl(url, policy).hostname).toBe(new URL(url).hostname);
    }
  });

  it('reads the IPv4 address the URL parser writes in hex: [::169.254.169.254] becomes [::a9fe:a9fe]', () => {
    expect(new URL('http://[::169.254.169.254]/').hostname).toBe('[::a9fe:a9fe]');
    expect(() => checkOutboundUrl('http://[::169.254.169.254]/', allow)).toThrow(/IPv4-compatible.*169\.254\.169\.254/);
    expect(() => checkOutboundUrl('http://[64:ff9b::127.0.0.1]/', off)).toThrow(/127\.0\.0\.1.*loopback/);
    expect(() => checkOutboundUrl('http://[::ffff:0:169.254.169.254]/', allow)).toThrow(/metadata/);
  });
});

describe('url guard: other address forms', () => {
  it.each([
    ['4000::1', /outside the global unicast range/],
    ['1::', /outside the global unicast range/],
    ['::1:0:0:0', /outside the global unicast range/],
    ['64:ff9b:0:1::1', /outside the global unicast range/],
    ['2001:db8::1', /reserved/],
    ['2001:2::1', /benchmarking/],
    ['100::1', /discard/],
    ['fec0::1', /deprecatedSiteLocal/],
    ['::', /unspecified/],
    ['::ffff:0.0.0.0', /unspecified/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['198.18.0.1', /reserved/],
  ])('refuses %s even with private networks allowed', (address, reason) => {
    expect(refuseAddress(address, allow)).toMatch(reason);
    expect(refuseAddress(address, off)).toMatch(reason);
  });

  it('allows global unicast addresses', () => {
    expect(refuseAddress('2606:4700:4700::1111', off)).toBeNull();
    expect(refuseAddress('2a00:1450:4001:82a::200e', off)).toBeNull();
    expect(refuseAddress('93.184.216.34', off)).toBeNull();
  });

  it('judges an address with a zone id as the address itself', () => {
    expect(refuseAddress('fd00:ec2::254%eth0', allow)).toMatch(/metadata/);
    expect(refuseAddress('fe80::1%eth0', allow)).toMatch(/linkLocal/);
    expect(refuseAddress('::1%lo', off)).toMatch(PRIVATE);
    expect(refuseAddress('::1%lo', allow)).toBeNull();
    expect(refuseAddress('::a9fe:a9fe%1', allow)).toMatch(/IPv4-compatible/);
  });

  it('refuses zone ids in URLs, which the URL parser does not accept', () => {
    expect(() => checkOutboundUrl('http://[fe80::1%25eth0]/', allow)).toThrow(/not a valid URL/);
    expect(() => checkOutboundUrl('http://[fd00:ec2::254%25eth0]/', allow)).toThrow(/not a valid URL/);
  });

  it.each([
    ['http://2852039166/', /metadata/],
    ['http://0xa9.0xfe.0xa9.0xfe/', /metadata/],
    ['http://0251.0376.0251.0376/', /metadata/],
    ['http://0xa9fea9fe/', /metadata/],
    ['http://169.254.43518/', /metadata/],
    ['http://169.254.169.254./', /metadata/],
    ['http://0/', /unspecified/],
    ['http://0.0.0.0./', /unspecified/],
    ['http://[0:0:0:0:0:0:0:0]/', /unspecified/],
    ['http://[::ffff:169.254.169.254]/', /metadata/],
  ])('refuses the IPv4 spelling %s, which the URL parser turns into dotted decimal', (url, reason) => {
    expect(() => checkOutboundUrl(url, allow)).toThrow(reason);
  });

  it.each(['http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://127.1/', 'http://127.0.0.1./', 'http://012.1/'])(
    'refuses the loopback or private spelling %s unless private networks are allowed',
    (url) => {
      expect(() => checkOutboundUrl(url, off)).toThrow(PRIVATE);
      expect(() => checkOutboundUrl(url, allow)).not.toThrow();
    },
  );
});

describe('url guard: host names', () => {
  it.each([
    'http://metadata.google.internal./computeMetadata/v1',
    'http://metadata.google.internal../',
    'http://METADATA.Google.Internal/',
    'http://metadata%2egoogle%2einternal/',
    'http://ｍｅｔａｄａｔａ/',
    'http://metadata./',
    'http://metadata.azure.internal.:80/',
  ])('refuses the metadata host %s even with private networks allowed', (url) => {
    expect(() => checkOutboundUrl(url, allow)).toThrow(/cloud metadata host/);
  });

  it.each(['http://localhost/', 'http://LOCALHOST./', 'http://localhost:8080/turn', 'http://api.localhost/', 'http://a.b.localhost./'])(
    'refuses %s before DNS unless private networks are allowed (RFC 6761: loopback by definition)',
    (url) => {
      expect(() => checkOutboundUrl(url, off)).toThrow(/loopback by definition.*allowPrivateNetworks/);
      expect(() => checkOutboundUrl(url, allow)).not.toThrow();
    },
  );

  it('leaves other names to the check of their DNS answers', () => {
    for (const name of ['localhost.example.com', 'notlocalhost', 'metadata.example.com', 'example.com.']) {
      expect(refuseHostName(name, off), name).toBeNull();
    }
  });
});

describe('url guard: guardedLookup', () => {
  /** A resolver that answers from a table and records what it was asked. */
  function fakeResolver(answers: Record<string, string[]>) {
    const asked: string[] = [];
    const resolve: Resolver = (hostname, _options, callback) => {
      asked.push(hostname);
      const addresses = (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      queueMicrotask(() => callback(null, addresses));
    };
    return { asked, resolve };
  }

  function lookup(policy: object, resolve: Resolver, hostname: string, all = false) {
    return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((done) => {
      guardedLookup(policy, resolve)(hostname, { all }, (error, address, family) => done({ error, address, family }));
    });
  }

  it('refuses metadata and localhost names with a trailing dot or any case before resolving them', async () => {
    const dns = fakeResolver({
      'metadata.google.internal.': ['93.184.216.34'],
      'localhost.': ['93.184.216.34'],
      'API.LOCALHOST': ['93.184.216.34'],
    });
    for (const [name, policy] of [
      ['metadata.google.internal.', allow],
      ['Metadata.Google.Internal', allow],
      ['localhost.', off],
      ['API.LOCALHOST', off],
    ] as const) {
      const { error } = await lookup(policy, dns.resolve, name);
      expect(error, name).toMatchObject({ code: 'EREFUSEDADDRESS', name: 'OutboundUrlError' });
    }
    expect(dns.asked).toEqual([]);
    const allowed = await lookup(allow, dns.resolve, 'localhost.');
    expect(allowed).toMatchObject({ error: null, address: '93.184.216.34', family: 4 });
  });

  it.each([
    ['::a9fe:a9fe', /IPv4-compatible/],
    ['::ffff:0:a9fe:a9fe', /metadata/],
    ['64:ff9b::a9fe:a9fe', /metadata/],
    ['2002:a9fe:a9fe::1', /metadata/],
    [teredo('65.54.227.120', '169.254.169.254'), /metadata/],
    ['fd00:ec2::254%2', /metadata/],
  ])('refuses a name that resolves to %s even with private networks allowed', async (address, reason) => {
    const dns = fakeResolver({ 'hook.example.com.': ['93.184.216.34', address] });
    const { error } = await lookup(allow, dns.resolve, 'hook.example.com.', true);
    expect(error?.code).toBe('EREFUSEDADDRESS');
    expect(error?.message).toMatch(/^hook\.example\.com\. resolves to /);
    expect(error?.message).toMatch(reason);
  });

  it('refuses a name that resolves to an embedded loopback address unless private networks are allowed', async () => {
    const dns = fakeResolver({ 'rebind.example.com': ['64:ff9b::7f00:1'] });
    expect((await lookup(off, dns.resolve, 'rebind.example.com')).error?.message).toMatch(/127\.0\.0\.1.*loopback/);
    expect(await lookup(allow, dns.resolve, 'rebind.example.com')).toMatchObject({ error: null, address: '64:ff9b::7f00:1', family: 6 });
  });

  it('hands the checked addresses to the socket', async () => {
    const dns = fakeResolver({ 'hook.example.com': ['93.184.216.34', '64:ff9b::808:808'] });
    expect(await lookup(off, dns.resolve, 'hook.example.com', true)).toMatchObject({
      error: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '64:ff9b::808:808', family: 6 },
      ],
    });
    expect(await lookup(off, dns.resolve, 'hook.example.com')).toMatchObject({ error: null, address: '93.184.216.34', family: 4 });
    expect((await lookup(off, dns.resolve, 'nothing.example.com')).error?.message).toMatch(/has no address/);
  });
});
