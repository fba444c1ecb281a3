import { isAlreadyFinished, type SimulationSessionReport } from '@sims/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'wouter';
import { useApi, useClient } from '../../api.js';
import { Badge, Button, DateTime, Empty, ErrorState, Loading, PageHeader } from '../../ui/index.js';
import { CaseOutcomes } from './CaseOutcomes.js';
import { type BaselineChoice, Comparison } from './Comparison.js';
import { count, percent } from './format.js';
import { SessionRuns } from './SessionRuns.js';
import { Usage } from './Usage.js';
import './sessions.css';

const POLL_MS = 1000;

function Progress({ report }: { report: SimulationSessionReport }) {
  const done = report.completed_simulations + report.failed_simulations;
  const outcomes = report.case_outcomes;
  return (
    <section aria-labelledby="progress-title" className="session-progress">
      <h2 id="progress-title">{report.finished ? 'Result' : 'Progress'}</h2>
      <progress id="session-progress" value={done} max={Math.max(1, report.total_simulations)} aria-labelledby="progress-label" />
      <p id="progress-label" aria-live="polite">
        {count(done)} of {count(report.total_simulations)} runs finished
      </p>
      <dl className="session-counters">
        <div>
          <dt>Completed</dt>
          <dd>{count(report.completed_simulations)}</dd>
        </div>
        <div>
          <dt>Could not run</dt>
          <dd>{count(report.failed_simulations)}</dd>
        </div>
        <div>
          <dt>Pending</dt>
          <dd>{count(report.pending_simulations)}</dd>
        </div>
        <div>
          <dt>Passed</dt>
          <dd>{count(report.passed_simulations)}</dd>
        </div>
        <div>
          <dt>Pass rate</dt>
          <dd>{percent(report.pass_rate)}</dd>
        </div>
      </dl>
      <p className="muted">
        Cases: {outcomes.passing} passing, {outcomes.failing} failing, {outcomes.flaky} flaky
        {outcomes.pending > 0 ? `, ${outcomes.pending} pending` : ''}.
      </p>
    </section>
  );
}

/** Other finished sessions of the same suite, for the reader to pick a baseline from. */
function useBaselineChoices(
  sessionId: string,
  suiteId: string | null | undefined,
  agentId: string | null | undefined,
  finished: boolean,
): BaselineChoice[] {
  const $api = useApi();
  // The sessions list filters by agent, not by suite: the suite's sessions are among its agent's latest.
  const query = $api.useQuery(
    'get',
    '/simulations/sessions',
    { params: { query: { target_agent_id: agentId ?? '', page_size: 20 } } },
    { enabled: finished && Boolean(suiteId && agentId) },
  );
  if (!query.data) return [];
  return query.data.response.items
    .filter((s) => s.suite_id === suiteId && s.simulation_session_id !== sessionId && s.pending_simulations === 0 && s.created_at)
    .map((s) => ({ id: s.simulation_session_id, createdAt: s.created_at as string }));
}

/**
 * A session: live progress while it runs (polled every second), each run's state, a cancel for the
 * session and for each run; its report case by case; once finished, its comparison with a baseline;
 * and the model usage it cost.
 */
export function SessionPage() {
  const { id = '' } = useParams<{ id: string }>();
  const $api = useApi();
  const client = useClient();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);

  const path = { params: { path: { simulation_session_id: id } } };
  const reportQuery = $api.useQuery('get', '/simulations/session/{simulation_session_id}/report', path, {
    refetchInterval: (q) => (q.state.data && !q.state.data.response.finished ? POLL_MS : false),
  });
  const report = reportQuery.data?.response;
  // The session read embeds up to 100 whole runs, for the usage and the cancellation only: it waits
  // for the report, so that the counters and outcomes render first on a large session.
  const sessionQuery = $api.useQuery('get', '/simulations/session/{simulation_session_id}', path, { enabled: report !== undefined });
  const session = sessionQuery.data?.response;
  const finished = report?.finished ?? false;

  // When the last run ends, read the session (usage, cancellation) and the runs once more.
  const wasFinished = useRef<boolean | undefined>(undefined);
  useEffect(() => {
    if (report === undefined) return;
    if (wasFinished.current === false && finished) {
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulations/session/{simulation_session_id}'] });
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulations'] });
    }
    wasFinished.current = finished;
  }, [finished, report, queryClient]);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['get', '/simulations/session/{simulation_session_id}/report'] });
    void queryClient.invalidateQueries({ queryKey: ['get', '/simulations/session/{simulation_session_id}'] });
  };

  const cancel = useMutation({
    mutationFn: () => client.cancelSession(id),
    onSuccess: (result) => setNotice(`Cancelled ${result.cancelled_simulations} run${result.cancelled_simulations === 1 ? '' : 's'}.`),
    onError: (error) => setNotice(isAlreadyFinished(error) ? 'Nothing of this session was running any more.' : null),
    onSettled: () => {
      refresh();
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulations'] });
    },
  });

  const choices = useBaselineChoices(id, report?.suite_id, report?.target_agent_id, finished);
  const suiteId = report?.suite_id ?? '';
  const suiteQuery = $api.useQuery(
    'get',
    '/simulation_suites/{suite_id}',
    { params: { path: { suite_id: suiteId } } },
    { enabled: suiteId !== '' },
  );
  const suiteName = suiteQuery.data?.response.name;

  if (reportQuery.isPending) return <Loading label="Loading the session" />;
  if (reportQuery.isError) return <ErrorState error={reportQuery.error} retry={() => void reportQuery.refetch()} />;
  const data = reportQuery.data.response;
  const cancelledAt = session?.cancelled_at;

  return (
    <div className="session-page">
      <PageHeader
        title={suiteName ? `Session of ${suiteName}` : 'Session'}
        description={
          <>
            Created <DateTime value={data.created_at} />
            {data.suite_id ? (
              <>
                {' · '}
                <Link href={`/suites/${data.suite_id}`}>Suite</Link>
                {' · '}
                <Link href={`/suites/${data.suite_id}/sessions`}>All its sessions</Link>
              </>
            ) : null}{' '}
            {cancelledAt ? (
              <Badge value="Cancelled" tone="warning" />
            ) : data.finished ? (
              <Badge value="Finished" tone="success" />
            ) : (
              <Badge value="Running" tone="info" />
            )}
          </>
        }
        actions={
          data.pending_simulations > 0 ? (
            <Button variant="danger" busy={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel session
            </Button>
          ) : null
        }
      />
      <div aria-live="polite" className="live-notice">
        {notice}
        {cancelledAt ? (
          <>
            Cancelled <DateTime value={cancelledAt} />.
          </>
        ) : null}
      </div>
      {cancel.isError && !isAlreadyFinished(cancel.error) ? (
        <ErrorState error={cancel.error} title="The session could not be cancelled" />
      ) : null}

      <Progress report={data} />

      <section aria-labelledby="outcomes-title">
        <h2 id="outcomes-title">Cases</h2>
        {data.cases.length === 0 ? <Empty title="No cases">This session ran no case.</Empty> : <CaseOutcomes cases={data.cases} />}
      </section>

      {data.finished ? (
        <Comparison sessionId={id} choices={choices} />
      ) : (
        <p className="muted">The comparison with a baseline comes when every run has finished.</p>
      )}

      <SessionRuns sessionId={id} live={!data.finished} onCancelled={refresh} />

      <section aria-labelledby="usage-title">
        <h2 id="usage-title">Usage</h2>
        {sessionQuery.isError ? (
          <ErrorState error={sessionQuery.error} />
        ) : session?.usage ? (
          <Usage usage={session.usage} caption="Model usage of the session’s finished runs" />
        ) : sessionQuery.isPending ? (
          <Loading label="Loading the usage" />
        ) : (
          <p className="muted">No usage recorded.</p>
        )}
      </section>
    </div>
  );
}
