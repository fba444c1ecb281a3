import { kindOfField, type IdPool } from './ids.js';
import type { FuzzOperation } from './spec-model.js';
import type { WireResponse } from './wire.js';

type Body = Record<string, any>;

/**
 * What a successful answer adds to the pool of live ids. The spec has no links, so this names the
 * operations that make records and where their answer carries the id.
 */
const MADE: Record<string, (body: Body, pool: IdPool) => void> = {
  createAgent: (b, pool) => pool.add('agent', b.response.id),
  createSimulationSuite: (b, pool) => suite(b, pool),
  updateSimulationSuite: (b, pool) => suite(b, pool),
  createSimulationCase: (b, pool) => pool.add('case', b.response.simulation_case.simulation_case_id),
  importSimulationCase: (b, pool) => pool.add('case', b.response.simulation_case.simulation_case_id),
  createSimulationScenario: (b, pool) => pool.add('scenario', b.response.id),
  startSimulation: (b, pool) => {
    pool.add('simulation', b.response.simulation_id);
    pool.add('session', b.response.simulation_session_id);
  },
  executeSimulationSuite: (b, pool) => pool.add('session', b.session_id),
  createWebhookEndpoint: (b, pool) => pool.add('endpoint', b.response.endpoint.id),
};

function suite(body: Body, pool: IdPool) {
  pool.add('suite', body.response.id);
  pool.setSuiteAgent(body.response.id, body.response.model_id);
}

/** Learns ids from a 2xx answer; a 204 to a DELETE retires the id in its path. */
export function learn(op: FuzzOperation, pathIds: Record<string, string>, response: WireResponse, pool: IdPool): void {
  if (response.status === 204 && op.method === 'delete') {
    for (const [name, id] of Object.entries(pathIds)) {
      const kind = kindOfField(name);
      if (kind) pool.remove(kind, id);
    }
    return;
  }
  // 201: a case imported from a recording.
  if (response.status !== 200 && response.status !== 201) return;
  const text = response.body.toString('utf8');
  try {
    if (op.operationId === 'generateSimulationCases') {
      for (const line of text.split('\n')) {
        if (!line) continue;
        const event = JSON.parse(line) as Body;
        if (event.type === 'case') pool.add('case', event.simulation_case.simulation_case_id);
      }
      return;
    }
    MADE[op.operationId]?.(JSON.parse(text) as Body, pool);
  } catch {
    // A body that is not what the spec says is reported by the checks; there is nothing to learn from it.
  }
}
