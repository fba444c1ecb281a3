import type { Client } from 'openapi-fetch';
import type { paths } from '@sims/api-types';
import { unwrap, type FetchResult } from './errors.js';
import type { ListFilters, ListItem, ListPath, ListPathParams } from './types.js';

export interface PaginateOptions<Path extends ListPath> {
  /** The path's parameters, for a list under a record: `{ endpoint_id }` of `/webhook_endpoints/{endpoint_id}/deliveries`. */
  path?: ListPathParams<Path>;
  /** The list's filters (`status`, `search`, `start_date`, …); the paginator sets the paging parameters. */
  query?: ListFilters<Path>;
  /** Items per page, 1–100. Default 100, the API's maximum, for the fewest requests. */
  pageSize?: number;
  /** The first page to read. Default 1. */
  startPage?: number;
  /** Stop after this many pages even if there are more. Default 100. */
  maxPages?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** One page of a list, the same whichever paging shape the operation answers in. */
export interface Page<Item> {
  items: Item[];
  /** 1-based number of this page. */
  pageNumber: number;
  pageSize: number;
  /** Records matching the filters over all pages. */
  total: number;
  response: Response;
}

export interface PageIterator<Item> extends AsyncIterable<Page<Item>> {
  /** The same walk, item by item. */
  items(): AsyncIterable<Item>;
}

export const PAGINATE_DEFAULTS = { pageSize: 100, maxPages: 100 } as const;

type UntypedGet = (path: string, init: unknown) => Promise<FetchResult<unknown, unknown>>;

interface OffsetShape {
  pagination: { total_records: number; limit: number; offset: number };
  items: unknown[];
}
interface PageNumberShape {
  items: unknown[];
  total: number;
  page_number: number;
  page_size: number;
}

/** Reads both paging shapes of the API into one `Page`. */
function toPage(payload: unknown, requested: { pageNumber: number; pageSize: number }, response: Response): Page<unknown> {
  if (typeof payload === 'object' && payload !== null && Array.isArray((payload as { items?: unknown }).items)) {
    if ('pagination' in payload) {
      const { pagination, items } = payload as OffsetShape;
      const pageSize = pagination.limit > 0 ? pagination.limit : requested.pageSize;
      return { items, pageSize, pageNumber: Math.floor(pagination.offset / pageSize) + 1, total: pagination.total_records, response };
    }
    if ('total' in payload) {
      const { items, total, page_number, page_size } = payload as PageNumberShape;
      return { items, total, pageNumber: page_number, pageSize: page_size > 0 ? page_size : requested.pageSize, response };
    }
  }
  throw new TypeError(`paginate: the answer of ${response.url} is not a page of items`);
}

/** Walks a list operation page by page until the last page, or `maxPages`. */
export function paginate<Path extends ListPath>(
  client: Client<paths>,
  path: Path,
  options: PaginateOptions<Path> = {},
): PageIterator<ListItem<Path>> {
  const {
    query,
    path: pathParams,
    signal,
    headers,
    pageSize = PAGINATE_DEFAULTS.pageSize,
    maxPages = PAGINATE_DEFAULTS.maxPages,
    startPage = 1,
  } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
    throw new RangeError('paginate: pageSize must be an integer from 1 to 100');
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError('paginate: maxPages must be a positive integer');
  if (!Number.isInteger(startPage) || startPage < 1) throw new RangeError('paginate: startPage must be a positive integer');
  const given: Record<string, unknown> = pathParams ?? {};
  const missing = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((name) => name === undefined || given[name] === undefined);
  if (missing.length > 0) throw new TypeError(`paginate: ${path} needs options.path.${missing.join(', options.path.')}`);
  // One generic walk for every list path; the path-specific types are on the signature.
  const get = client.GET as unknown as UntypedGet;

  async function* pages(): AsyncGenerator<Page<ListItem<Path>>> {
    for (let read = 0, pageNumber = startPage; read < maxPages; read++, pageNumber++) {
      const result = await get(path, {
        params: { path: pathParams, query: { ...query, page_number: pageNumber, page_size: pageSize } },
        signal,
        headers,
      });
      const page = toPage(await unwrap(result), { pageNumber, pageSize }, result.response) as Page<ListItem<Path>>;
      yield page;
      const last = page.items.length === 0 || page.items.length < page.pageSize || page.pageNumber * page.pageSize >= page.total;
      if (last) return;
    }
  }

  return {
    [Symbol.asyncIterator]: () => pages(),
    async *items() {
      for await (const page of pages()) yield* page.items;
    },
  };
}
