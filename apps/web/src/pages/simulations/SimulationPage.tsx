import { isAlreadyFinished, type Simulation } from '@sims/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { useApi, useClient } from '../../api.js';
import { Conversation } from '../../components/conversation/Conversation.js';
import { eventAnchor } from '../../components/conversation/timeline.js';
import { Verdicts } from '../../components/conversation/Verdicts.js';
import { Badge, Button, DateTime, Empty, ErrorState, Loading, PageHeader } from '../../ui/index.js';
import { between, duration } from '../sessions/format.js';
import { simulationState } from '../sessions/states.js';
import { Usage } from '../sessions/Usage.js';
import '../sessions/sessions.css';
import './SimulationPage.css';

const POLL_MS = 1000;

function ErrorInfo({ simulation }: { simulation: Simulation }) {
  const info = simulation.error_info;
  if (!info) return null;
  return (
    <section className="sim-panel sim-panel-error" aria-labelledby="sim-error">
      <h2 id="sim-error">{info.type === 'cancelled' ? 'Cancelled' : 'What went wrong'}</h2>
      <p>{info.message}</p>
      <p className="muted">
        Error <code>{info.type}</code> ({info.code})
      </p>
    </section>
  );
}

function Divergence({ simulation }: { simulation: Simulation }) {
  const divergence = simulation.divergence;
  if (!divergence) return null;
  const index = simulation.timeline?.findIndex((item) => item.type === 'divergence') ?? -1;
  return (
    <section className="sim-panel sim-panel-warn" aria-labelledby="sim-divergence">
      <h2 id="sim-divergence">Departed from the recording</h2>
      <p>
        The agent’s reply {divergence.turn} matched the recorded line at {Math.round(divergence.similarity * 100)}% (below 50% departs).
      </p>
      <dl className="sim-facts">
        <dt>Recorded</dt>
        <dd>{divergence.expected}</dd>
        <dt>Said</dt>
        <dd>{divergence.actual ?? <em>nothing: the call ended first</em>}</dd>
      </dl>
      {index >= 0 ? <a href={`#${eventAnchor(index)}`}>See it in the conversation</a> : null}
    </section>
  );
}

function Facts({ simulation }: { simulation: Simulation }) {
  const took = between(simulation.started_at, simulation.finished_at);
  return (
    <dl className="sim-facts">
      <dt>Agent</dt>
      <dd>
        <Link href={`/agents/${simulation.target_agent_id}`}>{simulation.agent_name ?? simulation.target_agent_id}</Link>
      </dd>
      <dt>Session</dt>
      <dd>
        <Link href={`/sessions/${simulation.simulation_session_id}`}>Open the session</Link>
      </dd>
      {simulation.iteration !== undefined ? (
        <>
          <dt>Run</dt>
          <dd>{simulation.iteration}</dd>
        </>
      ) : null}
      {simulation.max_turns !== undefined ? (
        <>
          <dt>Turn limit</dt>
          <dd>{simulation.max_turns}</dd>
        </>
      ) : null}
      <dt>Created</dt>
      <dd>
        <DateTime value={simulation.created_at} />
      </dd>
      <dt>Started</dt>
      <dd>{simulation.started_at ? <DateTime value={simulation.started_at} /> : 'Not yet (queued)'}</dd>
      <dt>Finished</dt>
      <dd>{simulation.finished_at ? <DateTime value={simulation.finished_at} /> : '—'}</dd>
      <dt>Duration</dt>
      <dd>{duration(took)}</dd>
    </dl>
  );
}

/** One simulation: how it ended, each verdict with its reasoning, and the conversation as a chat. */
export function SimulationPage() {
  const { id = '' } = useParams<{ id: string }>();
  const $api = useApi();
  const client = useClient();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);

  const init = { params: { path: { simulation_id: id } } };
  const query = $api.useQuery('get', '/simulations/{simulation_id}', init, {
    refetchInterval: (q) => (q.state.data?.response.status === 'in-progress' ? POLL_MS : false),
  });

  const cancel = useMutation({
    mutationFn: () => client.cancelSimulation(id),
    onSuccess: () => setNotice('The simulation was cancelled.'),
    onError: (error) => {
      if (isAlreadyFinished(error)) setNotice('It had already finished; nothing was cancelled.');
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['get', '/simulations/{simulation_id}', init] }),
  });

  if (query.isPending) return <Loading label="Loading the simulation" />;
  if (query.isError) return <ErrorState error={query.error} />;

  const simulation = query.data.response;
  const state = simulationState(simulation);
  const analysis = simulation.success_criteria_analysis;
  const timeline = simulation.timeline ?? [];
  const running = simulation.status === 'in-progress';

  return (
    <div className="simulation-page">
      <PageHeader
        title={simulation.simulation_case_name ?? 'Simulation'}
        actions={
          running ? (
            <Button variant="danger" onClick={() => cancel.mutate()} busy={cancel.isPending}>
              Cancel simulation
            </Button>
          ) : null
        }
        description={<Badge value={state.label} tone={state.tone} />}
      />

      <div aria-live="polite" className="live-notice">
        {notice}
      </div>
      {cancel.isError && !isAlreadyFinished(cancel.error) ? <ErrorState error={cancel.error} /> : null}

      <Facts simulation={simulation} />
      <ErrorInfo simulation={simulation} />
      <Divergence simulation={simulation} />

      <div className="simulation-columns">
        <section aria-labelledby="sim-verdicts" className="simulation-verdicts">
          <h2 id="sim-verdicts">Criteria and checks</h2>
          {analysis ? (
            <Verdicts evaluations={analysis.evaluations} criteriaCount={simulation.success_criteria?.length ?? 0} timeline={timeline} />
          ) : running ? (
            <p className="muted">The verdicts come when the conversation has ended.</p>
          ) : (
            <Empty title="No verdicts">This simulation was not judged{simulation.error_info ? ': it could not run to the end' : ''}.</Empty>
          )}
        </section>

        <section aria-labelledby="sim-conversation" className="simulation-conversation">
          <h2 id="sim-conversation">Conversation</h2>
          {timeline.length > 0 ? (
            <Conversation timeline={timeline} agentName={simulation.agent_name} />
          ) : running ? (
            <p className="muted">
              {simulation.started_at ? 'The call has started; the first turn is on its way.' : 'Queued: the call has not started yet.'}
            </p>
          ) : (
            <Empty title="No conversation">Nothing was said in this simulation.</Empty>
          )}
          {running && timeline.length > 0 ? (
            <p className="muted">The conversation is still going; new turns appear as they happen.</p>
          ) : null}
        </section>
      </div>

      {simulation.simulation_case_prompt ? (
        <details className="sim-panel">
          <summary>What the caller was asked to do</summary>
          <p className="sim-prewrap">{simulation.simulation_case_prompt}</p>
        </details>
      ) : null}

      {simulation.usage ? (
        <section aria-labelledby="sim-usage">
          <h2 id="sim-usage">Usage</h2>
          <Usage usage={simulation.usage} caption="Model usage of this simulation" />
        </section>
      ) : null}
    </div>
  );
}
