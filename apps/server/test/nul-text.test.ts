import { describe, expect, it } from 'vitest';
import { nulFields } from '../src/http/json-body.js';
import { expectNulAnswers, expectNulReplyKept, nulRequests } from './support/nul-text.js';
import { raw, seededServerForFile, startTestServer } from './support/server.js';

/**
 * Request text may not hold U+0000 (NUL), which PostgreSQL's `text` cannot store (spec/README.md):
 * a body's string or key holding it answers 422 naming it, a query parameter 422 naming it, a path
 * id 404; before any storage call, so the same on both storages (test/postgres-nul-text.test.ts).
 */
const context = seededServerForFile();

describe('text holding U+0000 (NUL)', () => {
  it('answers 422 naming the body field or query parameter, 404 for an id in the path', async () => {
    await expectNulAnswers(context.server, nulRequests(context.ids));
  });

  it('leaves the records as they were', async () => {
    const { json } = await raw(`${context.server.url}/agents?page_size=100`, { key: context.server.key });
    expect(json.response.items.map((agent: { name: string }) => agent.name)).toEqual(['Acme Support']);
    const answer = await raw(`${context.server.url}/simulation_cases/${context.ids.caseIds[0]}`, { key: context.server.key });
    expect(answer.json.response.name).toBe('Case 1');
  });

  it('accepts an escaped backslash before u0000, which is no NUL, and other escapes', async () => {
    const body = JSON.stringify({ name: 'C:\\u0000 \u0001', prompt: 'p' });
    expect(body).toContain('\\\\u0000');
    const { status, json } = await raw(`${context.server.url}/agents`, { method: 'POST', key: context.server.key, body });
    expect(status).toBe(200);
    expect(json.response.name).toBe('C:\\u0000 \u0001');
    const search = await raw(`${context.server.url}/agents?search=${encodeURIComponent('C:\\u0000')}`, { key: context.server.key });
    expect(search.status).toBe(200);
    expect(search.json.response.items.map((agent: { name: string }) => agent.name)).toEqual(['C:\\u0000 \u0001']);
  });
});

describe('text the server writes itself', () => {
  it("keeps an agent's reply holding a NUL in the timeline, as PostgreSQL does (stored as JSON, escaped)", async () => {
    const local = await startTestServer({ engineConfig: { allowPrivateNetworks: true } });
    try {
      await expectNulReplyKept(local);
    } finally {
      await local.stop();
    }
  });
});

describe('nulFields', () => {
  it('names every string and member name holding a NUL, in document order, up to the limit', () => {
    const value = { a: ['x', 'y\u0000'], 'b/\u0000': 1, c: { d: '\u0000', 'e~': 'ok' } };
    expect(nulFields(value)).toEqual([
      { field: '/a/1', message: 'must not contain the character U+0000 (NUL)' },
      { field: '/b~1\u0000', message: 'has a name that must not contain the character U+0000 (NUL)' },
      { field: '/c/d', message: 'must not contain the character U+0000 (NUL)' },
    ]);
    expect(nulFields(value, 2).map((found) => found.field)).toEqual(['/a/1', '/b~1\u0000']);
    expect(nulFields(Array.from({ length: 50 }, () => '\u0000')).length).toBe(20);
    expect(nulFields({ a: 'no', b: [1, null, true] })).toEqual([]);
  });
});
