import { randomUUID } from 'node:crypto';
import type { AgentRecord } from '../storage/types.js';
import { invalid, notFound } from '../http/errors.js';
import { agentView } from '../views.js';
import type { Handlers } from '../http/types.js';
import { newSecret, PREVIOUS_SECRET_MS } from '../webhooks/sign.js';
import { agentOr404, changes, now, ok, pageOf, paging, type Deps } from './common.js';

type AgentHandlers = Pick<Handlers, 'createAgent' | 'listAgents' | 'getAgent' | 'updateAgent' | 'deleteAgent' | 'rotateAgentSigningSecret'>;

export function agentHandlers(deps: Deps): AgentHandlers {
  const { storage } = deps;
  /**
   * An outbound URL the engine would refuse is refused now, with 422, rather than at the first run;
   * so are two tools of one name (which the schema cannot say), naming the second.
   */
  const checkConnector = (connector: AgentRecord['connector'] | null | undefined) => {
    if (!connector) return;
    if (connector.kind === 'openai') {
      const seen = new Set<string>();
      for (const [i, tool] of (connector.tools ?? []).entries()) {
        if (seen.has(tool.name))
          throw invalid('body', `/connector/tools/${i}/name`, `another tool is named ${tool.name}: tool names must be unique`);
        seen.add(tool.name);
      }
    }
    const refused = deps.engine.checkConnector(connector);
    if (refused) throw invalid('body', refused.field, refused.message);
  };
  return {
    async createAgent({ workspace_id, body }) {
      checkConnector(body.connector);
      const at = now();
      const signing_secret = newSecret();
      const agent: AgentRecord = {
        id: randomUUID(),
        workspace_id,
        name: body.name,
        prompt: body.prompt,
        connector: body.connector ?? { kind: 'builtin' },
        agent_type: body.agent_type ?? 'inbound',
        avatar_url: body.avatar_url ?? null,
        phone_number: body.phone_number ?? null,
        created_at: at,
        updated_at: at,
        signing_secret,
        previous_signing_secret: null,
        previous_signing_secret_expires_at: null,
      };
      await storage.agents.create(agent);
      // The signing secret is answered this once (spec/README.md "Signed agent turns"); reads never carry it.
      return ok({ ...agentView(agent), signing_secret });
    },

    async listAgents({ workspace_id, query }) {
      const page = paging(query);
      const { items, total } = await storage.agents.list(workspace_id, { search: query.search }, page);
      return ok(pageOf(items.map(agentView), total, page));
    },

    async getAgent({ workspace_id, params }) {
      return ok(agentView(await agentOr404(deps, workspace_id, params.agent_id)));
    },

    async updateAgent({ workspace_id, params, body }) {
      await agentOr404(deps, workspace_id, params.agent_id);
      checkConnector(body.connector);
      const patch: Partial<AgentRecord> = { ...changes(body, ['name', 'prompt', 'connector', 'agent_type']), updated_at: now() };
      // `null` clears the optional fields; omitted keeps them.
      if (body.avatar_url !== undefined) patch.avatar_url = body.avatar_url;
      if (body.phone_number !== undefined) patch.phone_number = body.phone_number;
      const agent = await storage.agents.update(workspace_id, params.agent_id, patch);
      if (!agent) throw notFound('Agent', params.agent_id);
      return ok(agentView(agent));
    },

    async rotateAgentSigningSecret({ workspace_id, params }) {
      const agent = await agentOr404(deps, workspace_id, params.agent_id);
      const at = now();
      const signing_secret = newSecret();
      // An agent stored before signing existed has no previous secret to keep.
      const rotated = await storage.agents.update(workspace_id, params.agent_id, {
        signing_secret,
        previous_signing_secret: agent.signing_secret,
        previous_signing_secret_expires_at: agent.signing_secret ? new Date(Date.parse(at) + PREVIOUS_SECRET_MS).toISOString() : null,
        updated_at: at,
      });
      if (!rotated) throw notFound('Agent', params.agent_id);
      return ok({ agent_id: rotated.id, signing_secret });
    },

    async deleteAgent({ workspace_id, params }) {
      if (!(await storage.agents.delete(workspace_id, params.agent_id))) throw notFound('Agent', params.agent_id);
      return { status: 204 };
    },
  };
}
