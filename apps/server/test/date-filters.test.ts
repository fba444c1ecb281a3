import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dates, parseDateTime } from '../src/handlers/common.js';
import { apiClient, raw, seed, startTestServer, type TestServer } from './support/server.js';
import { seededRandom } from './support/random.js';
import { responseProblems } from './support/strict-spec.js';

/**
 * Issue 9, item 2: every `date-time` the spec accepts filters lists correctly — leap seconds, offsets,
 * lower-case `t`/`z`, years 0000 and 9999 — and none answers 500.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const ids = await seed(apiClient(server.url, server.key), 1);
  // One simulation, so one session too: each list below holds exactly one record, created now.
  const started = await raw(`${server.url}/simulations`, {
    method: 'POST',
    key: server.key,
    body: JSON.stringify({ simulation_case_id: ids.caseIds[0], target_agent_id: ids.agentId }),
  });
  expect(started.status).toBe(200);
});
afterAll(() => server.stop());

const lists = [
  { operationId: 'listSimulationSuites', path: '/simulation_suites' },
  { operationId: 'listSimulationScenarios', path: '/simulation_scenarios' },
  { operationId: 'listSimulations', path: '/simulations' },
  { operationId: 'listSimulationSessions', path: '/simulations/sessions' },
];

/** Valid `date-time`s at or before 2016-12-31T23:59:60Z (the leap second), in the forms the spec accepts. */
const past = [
  '2016-12-31T23:59:60Z',
  '2016-12-31t23:59:60z',
  '2016-12-31T23:59:60.999999Z',
  '2016-12-31 23:59:60Z',
  '2017-01-01T00:59:60+01:00',
  '2016-12-31T15:59:60-08:00',
  '2017-01-01T09:59:60+1000',
  '2016-12-31T23:59:59.123456789+00',
  '2016-12-31T23:59:59+14:00',
  '2016-12-31T23:59:59-12:00',
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00+14:00',
  '0000-01-01T00:00:00-12:00',
];
/** Valid `date-time`s in the far future. */
const future = [
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:60Z',
  '9999-12-31t23:59:59.999z',
  '9999-12-31T23:59:59-12:00',
  '9999-12-31T23:59:59+14:00',
];

const list = async (path: string, query: Record<string, string>) =>
  raw(`${server.url}${path}?${new URLSearchParams({ ...query, page_size: '100' })}`, { key: server.key });

describe.each(lists)('$operationId with date filters', ({ operationId, path }) => {
  it.each(past)('a record created now is after %s', async (date) => {
    const after = await list(path, { start_date: date, end_date: '9999-12-31T23:59:60Z' });
    expect(after.status, after.text).toBe(200);
    expect(responseProblems(operationId, 200, after.json)).toEqual([]);
    expect(after.json.response.items).toHaveLength(1);

    const before = await list(path, { end_date: date });
    expect(before.status, before.text).toBe(200);
    expect(before.json.response.items).toHaveLength(0);
  });

  it.each(future)('a record created now is before %s', async (date) => {
    const before = await list(path, { start_date: '0000-01-01T00:00:00+14:00', end_date: date });
    expect(before.status, before.text).toBe(200);
    expect(before.json.response.items).toHaveLength(1);

    const after = await list(path, { start_date: date });
    expect(after.status, after.text).toBe(200);
    expect(after.json.response.items).toHaveLength(0);
  });
});

describe('parsing date-time', () => {
  const accepts = addFormats.default.get('date-time') as { validate: (text: string) => boolean };

  it('agrees with Date.parse on ordinary values in every accepted spelling', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const random = seededRandom(9);
    for (let i = 0; i < 2_000; i += 1) {
      const date = `${pad(random(10_000), 4)}-${pad(1 + random(12))}-${pad(1 + random(28))}`;
      const time = `${pad(random(24))}:${pad(random(60))}:${pad(random(60))}`;
      const fraction = ['', '.5', '.123', '.1234567'][random(4)]!;
      const sign = random(2) ? '+' : '-';
      const [hours, minutes] = [pad(random(15)), pad(random(60))];
      const canonicalText = `${date}T${time}${fraction.slice(0, 4)}${sign}${hours}:${minutes}`;
      const expected = Date.parse(canonicalText);
      const spellings = [
        canonicalText,
        `${date}t${time}${fraction}${sign}${hours}${minutes}`,
        `${date} ${time}${fraction}${sign}${hours}:${minutes}`,
      ];
      for (const text of spellings) {
        expect(accepts.validate(text), text).toBe(true);
        expect(parseDateTime(text)?.ms, text).toBe(expected);
      }
    }
    expect(parseDateTime('2020-02-29T12:00:00z')).toEqual({ ms: Date.parse('2020-02-29T12:00:00Z'), partial: false });
    expect(parseDateTime('2020-02-29T12:00:00+05')?.ms).toBe(Date.parse('2020-02-29T07:00:00Z'));
  });

  it('places a leap second just after :59.999 of its minute, in any offset', () => {
    const leap = { ms: Date.parse('2016-12-31T23:59:59.999Z'), partial: true };
    for (const text of [
      '2016-12-31T23:59:60Z',
      '2016-12-31T23:59:60.5Z',
      '2017-01-01T00:59:60+01:00',
      '2016-12-31T15:59:60-08:00',
      '2017-01-01T05:29:60+05:30',
    ]) {
      expect(accepts.validate(text), text).toBe(true);
      expect(parseDateTime(text), text).toEqual(leap);
    }
  });

  it('answers undefined, without throwing, for what is not a date-time', () => {
    for (const text of ['', 'yesterday', '2016-12-31', '2016-12-31T23:59:60', '2016-12-31T23:59Z', '2016-12-31T23:59:60Zjunk', '\u0000']) {
      expect(parseDateTime(text), text).toBeUndefined();
    }
  });

  it('rounds start_date up and end_date down to the stored millisecond, within years 0000–9999', () => {
    expect(dates({ start_date: '2016-12-31T23:59:60Z', end_date: '2016-12-31T23:59:60Z' })).toEqual({
      start_date: '2017-01-01T00:00:00.000Z',
      end_date: '2016-12-31T23:59:59.999Z',
    });
    expect(dates({ start_date: '2020-01-01T00:00:00.0001Z', end_date: '2020-01-01T00:00:00.0009Z' })).toEqual({
      start_date: '2020-01-01T00:00:00.001Z',
      end_date: '2020-01-01T00:00:00.000Z',
    });
    expect(dates({ start_date: '0000-01-01T00:00:00+14:00', end_date: '9999-12-31T23:59:59-12:00' })).toEqual({
      start_date: '0000-01-01T00:00:00.000Z',
      end_date: '9999-12-31T23:59:59.999Z',
    });
    expect(dates({})).toEqual({ start_date: undefined, end_date: undefined });
  });
});
