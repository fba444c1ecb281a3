import { describe, expect, expectTypeOf, it } from 'vitest';
import { SimulationsApiError, type Page, type Schemas } from '../../src/index.js';
import { apiError, fakeFetch, ok, testClient } from './helpers.js';

/** A server holding `total` records, answering pages in the `pagination` + `items` shape. */
function offsetServer(total: number) {
  return fakeFetch((request) => {
    const url = new URL(request.url);
    const pageNumber = Number(url.searchParams.get('page_number'));
    const pageSize = Number(url.searchParams.get('page_size'));
    const offset = (pageNumber - 1) * pageSize;
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - offset)) }, (_, i) => ({
      simulation_id: `sim-${offset + i}`,
    }));
    return ok({ pagination: { total_records: total, limit: pageSize, offset }, items });
  });
}

/** The same in the `items` + `total` + `page_number` + `page_size` shape. */
function pageNumberServer(total: number) {
  return fakeFetch((request) => {
    const url = new URL(request.url);
    const pageNumber = Number(url.searchParams.get('page_number'));
    const pageSize = Number(url.searchParams.get('page_size'));
    const offset = (pageNumber - 1) * pageSize;
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - offset)) }, (_, i) => ({ id: `suite-${offset + i}` }));
    return ok({ items, total, page_number: pageNumber, page_size: pageSize });
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('paginate', () => {
  it('walks the pagination + items shape to the last page, keeping the filters', async () => {
    const { fetch, sent } = offsetServer(7);
    const client = testClient(fetch);
    const pages = await collect(client.paginate('/simulations', { query: { status: 'completed', target_agent_id: 'agent' }, pageSize: 3 }));
    expect(pages.map((p) => [p.pageNumber, p.pageSize, p.total, p.items.length])).toEqual([
      [1, 3, 7, 3],
      [2, 3, 7, 3],
      [3, 3, 7, 1],
    ]);
    expect(sent.map((s) => new URL(s.request.url).search)).toEqual([
      '?status=completed&target_agent_id=agent&page_number=1&page_size=3',
      '?status=completed&target_agent_id=agent&page_number=2&page_size=3',
      '?status=completed&target_agent_id=agent&page_number=3&page_size=3',
    ]);
    expectTypeOf(pages).toEqualTypeOf<Array<Page<Schemas['SimulationReadOut']>>>();
  });

  it('walks the items + total + page_number + page_size shape', async () => {
    const { fetch, sent } = pageNumberServer(5);
    const client = testClient(fetch);
    const suites = await collect(client.paginate('/simulation_suites', { pageSize: 2 }).items());
    expect(suites.map((s) => s.id)).toEqual(['suite-0', 'suite-1', 'suite-2', 'suite-3', 'suite-4']);
    expect(sent).toHaveLength(3);
    expectTypeOf(suites).toEqualTypeOf<Array<Schemas['SimulationSuiteListItem']>>();
  });

  it('stops after one request when the list fits a page exactly, or is empty', async () => {
    const exact = pageNumberServer(4);
    expect(await collect(testClient(exact.fetch).paginate('/simulation_scenarios', { pageSize: 4 }).items())).toHaveLength(4);
    expect(exact.sent).toHaveLength(1);
    const empty = offsetServer(0);
    const pages = await collect(testClient(empty.fetch).paginate('/simulation_cases'));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.items).toEqual([]);
  });

  it('asks for 100 items a page by default', async () => {
    const { fetch, sent } = offsetServer(150);
    const items = await collect(testClient(fetch).paginate('/simulations/sessions').items());
    expect(items).toHaveLength(150);
    expect(sent.map((s) => new URL(s.request.url).searchParams.get('page_size'))).toEqual(['100', '100']);
  });

  it('stops at maxPages', async () => {
    const { fetch, sent } = offsetServer(1_000);
    const items = await collect(testClient(fetch).paginate('/simulations', { pageSize: 10, maxPages: 3 }).items());
    expect(items).toHaveLength(30);
    expect(sent).toHaveLength(3);
  });

  it('starts at startPage and follows the page size the server answered with', async () => {
    // A server that caps pages at 2 items whatever is asked.
    const { fetch, sent } = fakeFetch((request) => {
      const pageNumber = Number(new URL(request.url).searchParams.get('page_number'));
      const offset = (pageNumber - 1) * 2;
      return ok({ pagination: { total_records: 6, limit: 2, offset }, items: [{}, {}].slice(0, Math.max(0, 6 - offset)) });
    });
    const pages = await collect(testClient(fetch).paginate('/simulation_cases', { startPage: 2 }));
    expect(pages.map((p) => p.pageNumber)).toEqual([2, 3]);
    expect(sent).toHaveLength(2);
  });

  it('reads nothing until iterated, and stops reading when the loop breaks', async () => {
    const { fetch, sent } = offsetServer(1_000);
    const iterator = testClient(fetch).paginate('/simulations', { pageSize: 10 });
    expect(sent).toHaveLength(0);
    for await (const page of iterator) {
      expect(page.pageNumber).toBe(1);
      break;
    }
    expect(sent).toHaveLength(1);
  });

  it('rejects with SimulationsApiError when a page fails', async () => {
    const { fetch } = fakeFetch((_request, index) =>
      index === 0
        ? ok({ pagination: { total_records: 20, limit: 10, offset: 0 }, items: Array(10).fill({}) })
        : apiError(429, 'rate_limited'),
    );
    const seen: number[] = [];
    const walk = async () => {
      for await (const page of testClient(fetch).paginate('/simulations', { pageSize: 10 })) seen.push(page.pageNumber);
    };
    await expect(walk()).rejects.toBeInstanceOf(SimulationsApiError);
    expect(seen).toEqual([1]);
  });

  it('refuses page sizes the API does not accept', () => {
    const client = testClient(offsetServer(0).fetch);
    expect(() => client.paginate('/simulations', { pageSize: 101 })).toThrow(RangeError);
    expect(() => client.paginate('/simulations', { pageSize: 0 })).toThrow(RangeError);
    expect(() => client.paginate('/simulations', { maxPages: 0 })).toThrow(RangeError);
  });

  it('rejects an answer that is not a page', async () => {
    const { fetch } = fakeFetch(() => ok({ nothing: true }));
    await expect(collect(testClient(fetch).paginate('/simulations'))).rejects.toThrow(/not a page of items/);
  });
});
