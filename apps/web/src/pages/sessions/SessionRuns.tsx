import { isAlreadyFinished, type Simulation, type SimulationStatus } from '@sims/client';
import { keepPreviousData, useMutation, useQueryClient } from '@tanstack/react-query';
import { memo, useId, useState } from 'react';
import { Link } from 'wouter';
import { useApi, useClient } from '../../api.js';
import { Badge, Button, DateTime, Empty, ErrorState, Loading } from '../../ui/index.js';
import { between, duration } from './format.js';
import { TableWrap } from './TableWrap.js';
import { simulationState } from './states.js';

/** Rows per page: the API's largest page, so a session of 500 runs is five light pages. */
const PAGE_SIZE = 100;
const POLL_MS = 1000;

interface Props {
  sessionId: string;
  /** Poll while the session has runs in progress. */
  live: boolean;
  /** Called after a run was cancelled, so the page refreshes its session-counters. */
  onCancelled: () => void;
}

const RunRow = memo(function RunRow({
  simulation,
  onCancel,
  cancelling,
}: {
  simulation: Simulation;
  onCancel: (id: string) => void;
  cancelling: boolean;
}) {
  const state = simulationState(simulation);
  const name = simulation.simulation_case_name ?? simulation.simulation_case_id;
  return (
    <tr>
      <th scope="row">
        <Link href={`/simulations/${simulation.simulation_id}`}>
          {name}
          {simulation.iteration !== undefined ? <span className="muted"> · run {simulation.iteration}</span> : null}
        </Link>
      </th>
      <td>
        <Badge value={state.label} tone={state.tone} />
      </td>
      <td>
        <DateTime value={simulation.started_at} />
      </td>
      <td>{duration(between(simulation.started_at, simulation.finished_at))}</td>
      <td>
        {simulation.status === 'in-progress' ? (
          <Button variant="secondary" busy={cancelling} onClick={() => onCancel(simulation.simulation_id)}>
            Cancel<span className="visually-hidden"> {name}</span>
          </Button>
        ) : null}
      </td>
    </tr>
  );
});

/** Each run of the session with its state as it changes, a page at a time, filterable by status. */
export function SessionRuns({ sessionId, live, onCancelled }: Props) {
  const $api = useApi();
  const client = useClient();
  const queryClient = useQueryClient();
  const filterId = useId();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<SimulationStatus | ''>('');
  const [notice, setNotice] = useState<string | null>(null);

  const query = $api.useQuery(
    'get',
    '/simulations',
    { params: { query: { simulation_session_id: sessionId, page_number: page, page_size: PAGE_SIZE, ...(status ? { status } : {}) } } },
    { refetchInterval: live ? POLL_MS : false, placeholderData: keepPreviousData },
  );

  const cancel = useMutation({
    mutationFn: (simulationId: string) => client.cancelSimulation(simulationId),
    onSuccess: () => setNotice('The run was cancelled.'),
    onError: (error) => setNotice(isAlreadyFinished(error) ? 'That run had already finished.' : null),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['get', '/simulations'] });
      onCancelled();
    },
  });

  let body: React.ReactNode;
  if (query.isPending) body = <Loading label="Loading the runs" />;
  else if (query.isError) body = <ErrorState error={query.error} retry={() => void query.refetch()} />;
  else {
    const { items, pagination } = query.data.response;
    const pages = Math.max(1, Math.ceil(pagination.total_records / pagination.limit));
    body =
      items.length === 0 ? (
        <Empty title="No runs">{status ? 'No run of this session has that status.' : 'This session has no runs.'}</Empty>
      ) : (
        <>
          <TableWrap label="Runs of this session">
            <table className="session-runs">
              <caption className="visually-hidden">Runs of this session</caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">State</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((simulation) => (
                  <RunRow
                    key={simulation.simulation_id}
                    simulation={simulation}
                    onCancel={(id) => cancel.mutate(id)}
                    cancelling={cancel.isPending && cancel.variables === simulation.simulation_id}
                  />
                ))}
              </tbody>
            </table>
          </TableWrap>
          {pages > 1 ? (
            <nav className="pager" aria-label="Pages of runs">
              <Button disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous page
              </Button>
              <span>
                Page {page} of {pages} ({pagination.total_records} runs)
              </span>
              <Button disabled={page >= pages} onClick={() => setPage(page + 1)}>
                Next page
              </Button>
            </nav>
          ) : null}
        </>
      );
  }

  return (
    <section aria-labelledby="runs-title" className="session-runs-section">
      <h2 id="runs-title">Runs</h2>
      <div className="session-filter">
        <label htmlFor={filterId}>Show</label>
        <select
          id={filterId}
          value={status}
          onChange={(event) => {
            setStatus(event.target.value as SimulationStatus | '');
            setPage(1);
          }}
        >
          <option value="">Every run</option>
          <option value="in-progress">Queued or running</option>
          <option value="completed">Completed (judged)</option>
          <option value="failed">Could not run or cancelled</option>
        </select>
      </div>
      <div aria-live="polite" className="live-notice">
        {notice}
      </div>
      {cancel.isError && !isAlreadyFinished(cancel.error) ? (
        <ErrorState error={cancel.error} title="The run could not be cancelled" />
      ) : null}
      {body}
    </section>
  );
}
