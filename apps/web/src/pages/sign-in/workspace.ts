import type { SimulationsClient } from '@sims/client';

export type WorkspaceCheck = { ok: true; workspaceId: string | null } | { ok: false; status: number; error: unknown };

/**
 * Checks a key with a real authenticated call and learns its workspace. No operation answers "whose key
 * is this", so the workspace is read from the first record the key can see: an agent, else a suite,
 * else a scenario. A new, empty workspace has none yet (null); the header fills it in later.
 */
export async function findWorkspace(client: SimulationsClient): Promise<WorkspaceCheck> {
  const agents = await client.GET('/agents', { params: { query: { page_size: 1 } } });
  if (agents.error !== undefined) return { ok: false, status: agents.response.status, error: agents.error };
  const agent = agents.data.response.items[0];
  if (agent) return { ok: true, workspaceId: agent.workspace_id };
  const suites = await client.GET('/simulation_suites', { params: { query: { page_size: 1 } } });
  const suite = suites.data?.response.items[0];
  if (suite) return { ok: true, workspaceId: suite.workspace_id };
  const scenarios = await client.GET('/simulation_scenarios', { params: { query: { page_size: 1 } } });
  const scenario = scenarios.data?.response.items[0];
  return { ok: true, workspaceId: scenario?.workspace_id ?? null };
}
