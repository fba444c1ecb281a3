import fc from 'fast-check';

/** Text as clients send it: mostly ASCII, some of any code point, some multi-code-point graphemes. */
export function text(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ ...constraints, unit: 'grapheme-ascii' }) },
    { weight: 2, arbitrary: fc.string({ ...constraints, unit: 'binary' }) },
    { weight: 1, arbitrary: fc.string({ ...constraints, unit: 'grapheme' }) },
  );
}

/**
 * A recorded call as `importSimulationCase` reads text: lines with a speaker's prefix (either case,
 * the aliases too), some continuation lines, some blank ones. Plain text would almost never be
 * readable, and the reading (turns, limits, the case made) would go untested.
 */
export const transcript: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom('Caller: ', 'Agent: ', 'caller:', 'AGENT:', 'User: ', 'Assistant: ', '', '\n'),
      text({ minLength: 1, maxLength: 40 }).map((line) => line.replace(/[\r\n]/g, ' ')),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((lines) => lines.map(([prefix, line]) => prefix + line).join('\n'));

/**
 * `date-time` values that RFC 3339 (and so the spec) allows and that naive parsing gets wrong: leap
 * seconds, lower-case separators, offsets, long fractions, the ends of the year range.
 */
export const EDGE_DATE_TIMES = [
  '2016-12-31T23:59:60Z',
  '2016-12-31t23:59:60z',
  '2016-12-31T18:59:60-05:00',
  '2024-02-29T12:00:00+14:00',
  '2024-01-01T00:00:00-12:00',
  '2024-01-01t00:00:00z',
  '2024-01-01 00:00:00Z',
  '2024-01-01T00:00:00.123456789Z',
  '2024-01-01T00:00:00+0000',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
];

/** Strings that look like dates and are not. */
export const INVALID_DATE_TIMES = [
  '2024-13-01T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2024-01-01',
  '2024-01-01T25:00:00Z',
  '2024-01-01T00:00:61Z',
  'yesterday',
  '1704067200',
  '2024-01-01T00:00:00',
  '',
  '+275760-09-13T00:00:00Z',
  '2024-01-01T00:00:00+24:00',
];

/** Plain ISO dates; the edge forms are a mutation family of their own (`query:date-forms`), so that a failure on one is named as such. */
export const dateTime: fc.Arbitrary<string> = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/**
 * Connector URLs the outbound URL guard must refuse with private networks off (the server's default
 * and the fuzz target's): loopback, private, unspecified, link-local and metadata hosts, IPv4 embedded
 * in IPv6 in its several forms, trailing-dot names, credentials, schemes other than http(s). The
 * queue-only engine never connects, so none is ever contacted: the guard judges them when the agent
 * is written, and a 2xx for one is a finding.
 */
export const REFUSED_URLS = [
  'http://127.0.0.1:9/turn',
  'http://localhost/turn',
  'http://localhost./turn',
  'http://LOCALHOST/',
  'http://10.0.0.1/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/',
  'http://[::a9fe:a9fe]/',
  'http://[::169.254.169.254]/',
  'http://[::7f00:1]/',
  'http://[::127.0.0.1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[0:0:0:0:0:ffff:7f00:1]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[2002:a9fe:a9fe::]/',
  'http://[fe80::1]/',
  'http://[fd00::1]/',
  'http://[::]/',
  'http://metadata.google.internal/',
  'http://metadata.google.internal./',
  'http://metadata./',
  'http://0x7f.1/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://127.1/',
  'http://0/',
  'http://user:secret@example.com/',
  'ftp://example.com/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'https://example.com:65536/',
];

/** Public URLs of unusual form, which the guard may accept. */
const ODD_PUBLIC_URLS = [
  'https://example.com:0/',
  'https://xn--nxasmq6b.example/',
  'HTTPS://EXAMPLE.COM/Turn',
  'https://example.com/a?b=c#d',
];

export const uri: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 2, arbitrary: fc.constantFrom(...REFUSED_URLS) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_PUBLIC_URLS) },
);

/** Any JSON value, a few levels deep: the content of free-form objects such as `custom_variables`. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** A string of exactly `length` code points, cheap at any length. */
export const repeated = (length: number, unit = 'x') => unit.repeat(length);

/** Log-uniform sizes between `min` and `max`: most heavy inputs are moderate, a few are at the top. */
export const logSize = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: 1000 }).map((u) => Math.round(min * (max / min) ** (u / 1000)));
