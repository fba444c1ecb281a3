import { createSimulationsClient, type Middleware, type SimulationsClient } from '@sims/client';
import createQueryClient, { type OpenapiQueryClient } from 'openapi-react-query';
import type { paths } from '@sims/client';
import { createContext, createElement, type ReactNode, useContext, useMemo } from 'react';
import { useAuth } from './auth/context.js';

/** The API is served under `/v2` on the app's own origin (the reference server, or Vite's dev proxy). */
const API_BASE_URL = '/v2';

export type Api = OpenapiQueryClient<paths>;

interface ApiValue {
  client: SimulationsClient;
  api: Api;
}

const ApiContext = createContext<ApiValue | null>(null);

/** Any 401 means the key is gone or wrong: forget it, and the router sends the user to sign in. */
function signOutOn401(signOut: (reason: 'expired') => void): Middleware {
  return {
    onResponse({ response }) {
      if (response.status === 401) signOut('expired');
      return undefined;
    },
  };
}

/** Builds the typed client for a key; `fetch` is injectable for tests. */
export function createApiClient(apiKey: string, signOut: (reason: 'expired') => void, fetch?: typeof globalThis.fetch): SimulationsClient {
  const base = new URL(API_BASE_URL, globalThis.location?.href ?? 'http://localhost/').href;
  const client = createSimulationsClient({ apiKey, baseUrl: base, ...(fetch ? { fetch } : {}) });
  client.use(signOutOn401(signOut));
  return client;
}

/** Provides the client of the signed-in key; render it only under a signed-in session. */
export function ApiProvider({ children, fetch }: { children: ReactNode; fetch?: typeof globalThis.fetch }) {
  const { session, signOut } = useAuth();
  const apiKey = session?.apiKey;
  const value = useMemo(() => {
    if (apiKey === undefined) return null;
    const client = createApiClient(apiKey, signOut, fetch);
    return { client, api: createQueryClient(client) };
  }, [apiKey, signOut, fetch]);
  return createElement(ApiContext.Provider, { value }, children);
}

function useApiValue(): ApiValue {
  const value = useContext(ApiContext);
  if (value === null) throw new Error('useApi: not signed in (no ApiProvider with a key above this component)');
  return value;
}

/** openapi-react-query over the typed client: `useApi().useQuery('get', '/agents', { params: … })`. */
export function useApi(): Api {
  return useApiValue().api;
}

/** The raw typed client (`client.GET(…)`, helpers, streams). */
export function useClient(): SimulationsClient {
  return useApiValue().client;
}
