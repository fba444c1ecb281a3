import type { Handlers } from '../http/types.js';
import { agentHandlers } from './agents.js';
import { cancelHandlers } from './cancel.js';
import { caseHandlers } from './cases.js';
import { ok, type Deps } from './common.js';
import { importHandlers } from './imports.js';
import { reportHandlers } from './reports.js';
import { scenarioHandlers } from './scenarios.js';
import { simulationHandlers } from './simulations.js';
import { suiteHandlers } from './suites.js';
import { webhookHandlers } from './webhooks.js';

export type { Deps } from './common.js';

/** One handler per operation of the spec; the type makes a missing one a compile error. */
export function createHandlers(deps: Deps): Handlers {
  return {
    ...agentHandlers(deps),
    ...caseHandlers(deps),
    ...importHandlers(deps),
    ...suiteHandlers(deps),
    ...scenarioHandlers(deps),
    ...simulationHandlers(deps),
    ...reportHandlers(deps),
    ...cancelHandlers(deps),
    ...webhookHandlers(deps),
    async getHealth() {
      await deps.storage.ping();
      return ok({ version: deps.version, started_at: deps.startedAt });
    },
  };
}
