import type { SimulationSession } from '@sims/client';
import { useInfiniteQuery, useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'wouter';
import { useApi, useClient } from '../../api.js';
import { PassRateTrend, type TrendPoint } from '../../components/trend/PassRateTrend.js';
import { Badge, Button, ButtonLink, DateTime, Empty, ErrorState, Loading, PageHeader } from '../../ui/index.js';
import { count, percent } from './format.js';
import { TableWrap } from './TableWrap.js';
import './sessions.css';

/**
 * Sessions per request. The list filters by agent, not by suite, so each page is the agent's latest
 * sessions, of which this suite's are kept; a page embeds each session's run summaries, hence small.
 */
const PAGE_SIZE = 25;
/** How often the list and the reports of running sessions are read again. */
const POLL_MS = 2000;

function sessionState(session: SimulationSession): { label: string; tone: 'info' | 'warning' | 'success' } {
  if (session.cancelled_at) return { label: 'Cancelled', tone: 'warning' };
  if (session.pending_simulations > 0) return { label: 'Running', tone: 'info' };
  return { label: 'Finished', tone: 'success' };
}

/** A suite's sessions, newest first, with their session-counters and pass rates, and the pass-rate trend over them. */
export function SuiteSessionsPage() {
  const { id = '' } = useParams<{ id: string }>();
  const $api = useApi();
  const client = useClient();
  const suiteQuery = $api.useQuery('get', '/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } });
  const agentId = suiteQuery.data?.response.model_id;

  const sessionsQuery = useInfiniteQuery({
    queryKey: ['suite-sessions', id, agentId],
    enabled: agentId !== undefined,
    initialPageParam: 1,
    queryFn: async ({ pageParam, signal }) => {
      const { data, error } = await client.GET('/simulations/sessions', {
        params: { query: { target_agent_id: agentId as string, page_number: pageParam, page_size: PAGE_SIZE } },
        signal,
      });
      if (error) throw error;
      return data.response;
    },
    getNextPageParam: (last, _all, pageParam) =>
      last.pagination.offset + last.items.length < last.pagination.total_records ? pageParam + 1 : undefined,
    // A session of this suite still running: its counters move, so the list is read again.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some((s) => s.suite_id === id && s.pending_simulations > 0)) ? POLL_MS : false,
  });

  const sessions = useMemo(
    () => (sessionsQuery.data?.pages ?? []).flatMap((page) => page.items).filter((session) => session.suite_id === id),
    [sessionsQuery.data, id],
  );

  // The pass rate is in each session's report (the list carries session-counters only).
  const reports = useQueries({
    queries: sessions.map((session) =>
      $api.queryOptions(
        'get',
        '/simulations/session/{simulation_session_id}/report',
        { params: { path: { simulation_session_id: session.simulation_session_id } } },
        { refetchInterval: session.pending_simulations > 0 ? POLL_MS : false },
      ),
    ),
  });
  const passRates = new Map<string, number | null | undefined>();
  sessions.forEach((session, index) => {
    passRates.set(session.simulation_session_id, reports[index]?.data?.response.pass_rate);
  });

  // What the points are made of: the chart is redrawn only when it changes, not on every poll.
  const trendKey = sessions.map((s) => `${s.simulation_session_id}:${passRates.get(s.simulation_session_id) ?? ''}`).join(',');
  const points = useMemo<TrendPoint[]>(
    () =>
      sessions
        .filter((s) => s.created_at && s.pending_simulations === 0 && passRates.get(s.simulation_session_id) !== undefined)
        .map((s) => ({
          id: s.simulation_session_id,
          createdAt: s.created_at as string,
          passRate: passRates.get(s.simulation_session_id) ?? null,
        }))
        .reverse(),
    [trendKey],
  );

  const suiteName = suiteQuery.data?.response.name;
  const header = (
    <PageHeader
      title={suiteName ? `Sessions of ${suiteName}` : 'Sessions'}
      description={<Link href={`/suites/${id}`}>Back to the suite</Link>}
      actions={
        <ButtonLink href={`/suites/${id}/run`} variant="primary">
          Run the suite
        </ButtonLink>
      }
    />
  );

  if (suiteQuery.isPending) return <Loading label="Loading the suite" />;
  if (suiteQuery.isError) return <ErrorState error={suiteQuery.error} retry={() => void suiteQuery.refetch()} />;

  let body: React.ReactNode;
  if (sessionsQuery.isPending) body = <Loading label="Loading the sessions" />;
  else if (sessionsQuery.isError) body = <ErrorState error={sessionsQuery.error} retry={() => void sessionsQuery.refetch()} />;
  else if (sessions.length === 0 && !sessionsQuery.hasNextPage) {
    body = (
      <Empty title="No session yet">
        <p>
          Run the suite to see its results here. <Link href={`/suites/${id}/run`}>Run it now</Link>.
        </p>
      </Empty>
    );
  } else {
    body = (
      <>
        <section aria-labelledby="trend-title">
          <h2 id="trend-title">Pass rate over time</h2>
          {points.length > 0 ? (
            <PassRateTrend points={points} renderLink={(point) => <Link href={`/sessions/${point.id}`}>Open</Link>} />
          ) : (
            <p className="muted">No finished session yet.</p>
          )}
        </section>
        <section aria-labelledby="list-title">
          <h2 id="list-title">Sessions</h2>
          <TableWrap label="Sessions of the suite, newest first">
            <table className="suite-sessions">
              <caption className="visually-hidden">Sessions of the suite, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">State</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Could not run</th>
                  <th scope="col">Pending</th>
                  <th scope="col">Pass rate</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((session) => {
                  const state = sessionState(session);
                  const rate = passRates.get(session.simulation_session_id);
                  return (
                    <tr key={session.simulation_session_id}>
                      <th scope="row">
                        <Link href={`/sessions/${session.simulation_session_id}`}>
                          <DateTime value={session.created_at} />
                        </Link>
                      </th>
                      <td>
                        <Badge value={state.label} tone={state.tone} />
                      </td>
                      <td>{count(session.total_simulations)}</td>
                      <td>{count(session.completed_simulations)}</td>
                      <td>{count(session.failed_simulations)}</td>
                      <td>{count(session.pending_simulations)}</td>
                      <td>{rate === undefined ? <span className="muted">…</span> : percent(rate)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
          {sessions.length === 0 ? <p className="muted">None of the agent’s latest sessions is of this suite.</p> : null}
          {sessionsQuery.hasNextPage ? (
            <Button busy={sessionsQuery.isFetchingNextPage} onClick={() => void sessionsQuery.fetchNextPage()}>
              Load older sessions
            </Button>
          ) : null}
        </section>
      </>
    );
  }

  return (
    <div className="suite-sessions-page">
      {header}
      {body}
    </div>
  );
}
