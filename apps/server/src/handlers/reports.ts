import { ApiError, invalid, notFound } from '../http/errors.js';
import type { Handlers } from '../http/types.js';
import { compareReports } from '../reports/comparison.js';
import { sessionReport } from '../reports/session-report.js';
import type { SessionRecord } from '../storage/types.js';
import { type Deps, found, ok } from './common.js';

type ReportHandlers = Pick<Handlers, 'getSimulationSessionReport' | 'compareSimulationSessions'>;

/** The session report and the comparison with a baseline (issue 12; spec/README.md "Regression decisions"). */
export function reportHandlers(deps: Deps): ReportHandlers {
  const { storage } = deps;

  /** The report of a session that exists in the workspace; undefined when it does not. */
  async function reportOf(workspace_id: string, session: SessionRecord) {
    const [runs, counters] = await Promise.all([
      storage.sessions.outcomes(workspace_id, session.simulation_session_id),
      storage.sessions.counters(workspace_id, [session.simulation_session_id]),
    ]);
    const counted = counters.get(session.simulation_session_id);
    if (!runs || !counted) return undefined;
    return sessionReport({ ...session, ...counted }, runs);
  }

  /** The baseline the query names: `last` (the latest finished session of the head's suite before it) or an id. */
  async function baselineOf(workspace_id: string, head: SessionRecord, named: string): Promise<SessionRecord> {
    if (named === 'last') {
      if (!head.suite_id) {
        throw invalid('query', 'baseline', 'the session ran no suite, so it has no last session: name a baseline session by id');
      }
      const last = await storage.sessions.latestFinished(workspace_id, head.suite_id, head);
      if (!last) {
        throw new ApiError('not_found', `No finished session of suite ${head.suite_id} before this one to compare with.`, [
          { location: 'query', field: 'baseline', message: 'no earlier finished session of the suite' },
        ]);
      }
      return last;
    }
    const baseline = await storage.sessions.get(workspace_id, named);
    if (!baseline) {
      throw new ApiError('not_found', notFound('Simulation session', named).message, [
        { location: 'query', field: 'baseline', message: 'no such session' },
      ]);
    }
    if (baseline.simulation_session_id === head.simulation_session_id) {
      throw invalid('query', 'baseline', 'must be another session than the one compared');
    }
    if (baseline.suite_id !== head.suite_id) {
      throw invalid(
        'query',
        'baseline',
        head.suite_id
          ? `must be a session of the same suite (${head.suite_id}); it ran ${baseline.suite_id ? `suite ${baseline.suite_id}` : 'no suite'}`
          : 'must be a session of single simulations (no suite), like the one compared',
      );
    }
    return baseline;
  }

  return {
    async getSimulationSessionReport({ workspace_id, params }) {
      const id = params.simulation_session_id;
      const session = found(await storage.sessions.get(workspace_id, id), 'Simulation session', id);
      return ok(found(await reportOf(workspace_id, session), 'Simulation session', id));
    },

    async compareSimulationSessions({ workspace_id, params, query }) {
      const id = params.simulation_session_id;
      const head = found(await storage.sessions.get(workspace_id, id), 'Simulation session', id);
      const baseline = await baselineOf(workspace_id, head, query.baseline ?? 'last');
      const [headReport, baselineReport] = await Promise.all([reportOf(workspace_id, head), reportOf(workspace_id, baseline)]);
      for (const [report, which] of [
        [headReport, 'This session'],
        [baselineReport, `The baseline session ${baseline.simulation_session_id}`],
      ] as const) {
        if (report && !report.finished) {
          throw new ApiError(
            'conflict',
            `${which} still has ${report.pending_simulations} pending simulations: compare finished sessions.`,
          );
        }
      }
      return ok(
        compareReports(
          found(headReport, 'Simulation session', id),
          found(baselineReport, 'Simulation session', baseline.simulation_session_id),
        ),
      );
    },
  };
}
