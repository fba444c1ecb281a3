import {
  readNdjson,
  type Schemas,
  type SimulationCaseGenerateEvent,
  type SimulationCaseGenerateIn,
  SimulationsApiError,
} from '@sims/client';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'wouter';
import { useApi, useClient } from '../../api';
import { Badge, Button, ErrorState, Loading, PageHeader } from '../../ui';
import './suites.css';

type Category = Schemas['SimulationCaseTestCategory'];
type GeneratedCase = Schemas['SimulationCaseReadOut'];

const CATEGORIES: ReadonlyArray<{ value: Category; label: string; hint: string }> = [
  { value: 'task_completion', label: 'Task completion', hint: 'the caller’s goal is achieved' },
  { value: 'accuracy_of_responses', label: 'Accuracy of responses', hint: 'what the agent states matches its prompt and lookups' },
  { value: 'script_compliance', label: 'Script compliance', hint: 'the agent follows its script and required steps' },
  { value: 'angry_user', label: 'Angry user', hint: 'the agent stays calm and helpful with a hostile caller' },
  { value: 'csat_score', label: 'Caller satisfaction', hint: 'the caller is satisfied at the end of the call' },
  { value: 'repetitive_phrases', label: 'Repetitive phrases', hint: 'the agent avoids repeating itself' },
  { value: 'conversational_naturalness', label: 'Conversational naturalness', hint: 'the agent sounds natural and concise' },
];

/** One key per request, so that a retry does not generate twice (`randomUUID` exists only in secure contexts). */
function idempotencyKey(): { 'Idempotency-Key': string } | undefined {
  return typeof crypto.randomUUID === 'function' ? { 'Idempotency-Key': crypto.randomUUID() } : undefined;
}

type ScenarioChoice = 'all' | 'none' | 'some';
type Phase = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

interface Progress {
  message: string;
  completed: number;
  total: number;
}

/**
 * `/suites/:id/generate`: generates cases from the suite's agent's prompt into the suite, reading the
 * NDJSON stream as it arrives: progress, each saved case, then done or an error line.
 */
export function GeneratePage() {
  const { id = '' } = useParams<{ id: string }>();
  const api = useApi();
  const client = useClient();
  const queryClient = useQueryClient();
  const suite = api.useQuery('get', '/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } });
  const scenarios = api.useQuery('get', '/simulation_scenarios', { params: { query: { page_size: 100 } } });
  const [categories, setCategories] = useState<Category[]>(CATEGORIES.map((category) => category.value));
  const [scenarioChoice, setScenarioChoice] = useState<ScenarioChoice>('all');
  const [chosenScenarios, setChosenScenarios] = useState<string[]>([]);
  const [phase, setPhase] = useState<Phase>('idle');
  const [progress, setProgress] = useState<Progress | null>(null);
  const [generated, setGenerated] = useState<Array<{ category: Category; item: GeneratedCase }>>([]);
  const [streamError, setStreamError] = useState<{ code: string; message: string } | null>(null);
  const [requestError, setRequestError] = useState<unknown>(null);
  const controller = useRef<AbortController | null>(null);

  // Leaving the page stops reading (and closes the connection); cases already sent stay saved.
  useEffect(() => () => controller.current?.abort(), []);

  if (suite.isPending) return <Loading label="Loading the suite…" />;
  if (suite.isError) return <ErrorState error={suite.error} title="The suite could not be loaded" retry={() => void suite.refetch()} />;
  const data = suite.data.response;
  const scenarioItems = scenarios.data?.response.items ?? [];

  const toggle = <T,>(list: T[], value: T, on: boolean) => (on ? [...list, value] : list.filter((item) => item !== value));

  const generate = async (event: FormEvent) => {
    event.preventDefault();
    if (categories.length === 0) return;
    const body: SimulationCaseGenerateIn = {
      agent_id: data.model_id,
      suite_id: id,
      include_tests: categories,
      ...(scenarioChoice === 'all' ? {} : { scenario_ids: scenarioChoice === 'none' ? [] : chosenScenarios }),
    };
    const abort = new AbortController();
    controller.current = abort;
    setPhase('running');
    setProgress(null);
    setGenerated([]);
    setStreamError(null);
    setRequestError(null);
    let finished: Phase = 'done';
    try {
      const {
        data: stream,
        error,
        response,
      } = await client.POST('/simulation_cases/generate', {
        body,
        params: { header: idempotencyKey() },
        parseAs: 'stream',
        signal: abort.signal,
      });
      if (error !== undefined || !response.ok || !stream) throw new SimulationsApiError(response, error);
      // The call's signal stops waiting for the answer but not reading its body (the client's time-out
      // and abort cover the headers only), so the body goes through a pipe the signal breaks: Stop then
      // ends the read at once and closes the connection. Hence not the client's `generateCases`.
      const lines = readNdjson<SimulationCaseGenerateEvent>(stream.pipeThrough(new TransformStream(), { signal: abort.signal }));
      for await (const line of lines) {
        if (line.type === 'progress') setProgress({ message: line.message, completed: line.completed, total: line.total });
        else if (line.type === 'case') setGenerated((current) => [...current, { category: line.category, item: line.simulation_case }]);
        else if (line.type === 'error') {
          setStreamError(line.error);
          finished = 'failed';
        }
      }
    } catch (error) {
      if (abort.signal.aborted) finished = 'cancelled';
      else {
        setRequestError(error);
        finished = 'failed';
      }
    } finally {
      controller.current = null;
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites/{suite_id}'] });
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites'] });
    }
    setPhase(finished);
  };

  const running = phase === 'running';
  return (
    <>
      <PageHeader
        title={`Generate cases for ${data.name}`}
        description={
          <>
            From the prompt of {data.agent ? data.agent.name : 'the suite’s agent'}; each case is saved in the suite as it arrives.{' '}
            <Link href={`/suites/${id}`}>Back to the suite</Link>
          </>
        }
      />
      <form className="form" onSubmit={generate}>
        <fieldset disabled={running}>
          <legend>Categories</legend>
          <ul className="choice-list">
            {CATEGORIES.map((category) => (
              <li key={category.value}>
                <label>
                  <input
                    type="checkbox"
                    checked={categories.includes(category.value)}
                    onChange={(event) => setCategories(toggle(categories, category.value, event.target.checked))}
                  />
                  <span>
                    {category.label} <span className="muted">— {category.hint}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
          {categories.length === 0 && <p className="field-error">Choose at least one category.</p>}
        </fieldset>
        <fieldset disabled={running}>
          <legend>Scenarios</legend>
          <p className="field-hint">Each scenario chosen yields at least one case.</p>
          <label>
            <input type="radio" name="scenarios" checked={scenarioChoice === 'all'} onChange={() => setScenarioChoice('all')} /> Every
            scenario of the workspace
          </label>
          <label>
            <input type="radio" name="scenarios" checked={scenarioChoice === 'none'} onChange={() => setScenarioChoice('none')} /> No
            scenarios
          </label>
          <label>
            <input type="radio" name="scenarios" checked={scenarioChoice === 'some'} onChange={() => setScenarioChoice('some')} /> Only
            these:
          </label>
          {scenarioChoice === 'some' &&
            (scenarios.isPending ? (
              <Loading label="Loading scenarios…" />
            ) : scenarios.isError ? (
              <ErrorState error={scenarios.error} title="The scenarios could not be loaded" retry={() => void scenarios.refetch()} />
            ) : scenarioItems.length === 0 ? (
              <p className="muted">
                The workspace has no scenarios. <Link href="/scenarios/new">Create one</Link>.
              </p>
            ) : (
              <ul className="choice-list">
                {scenarioItems.map((scenario) => (
                  <li key={scenario.id}>
                    <label>
                      <input
                        type="checkbox"
                        checked={chosenScenarios.includes(scenario.id)}
                        onChange={(event) => setChosenScenarios(toggle(chosenScenarios, scenario.id, event.target.checked))}
                      />
                      {scenario.name}
                    </label>
                  </li>
                ))}
              </ul>
            ))}
        </fieldset>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={running} disabled={categories.length === 0}>
            Generate
          </Button>
          {running && <Button onClick={() => controller.current?.abort()}>Stop generating</Button>}
        </div>
      </form>

      {phase !== 'idle' && (
        <section className="suite-section" aria-labelledby="generate-results">
          <h2 id="generate-results">Generated cases</h2>
          <div role="status" aria-live="polite">
            {running && (progress ? `${progress.message} (${progress.completed} of ${progress.total})` : 'Starting…')}
            {phase === 'done' && `Done: ${generated.length} ${generated.length === 1 ? 'case' : 'cases'} added to the suite.`}
            {phase === 'cancelled' &&
              `Stopped. The ${generated.length} ${generated.length === 1 ? 'case' : 'cases'} sent before are saved.`}
          </div>
          {running && progress && progress.total > 0 && (
            <progress max={progress.total} value={progress.completed} aria-label="Cases generated" />
          )}
          {streamError && (
            <div className="state state-error" role="alert">
              <p className="state-title">Generation stopped part-way</p>
              <p>
                <code>{streamError.code}</code> {streamError.message}
              </p>
              <p>The cases sent before it are saved.</p>
            </div>
          )}
          {requestError !== null && <ErrorState error={requestError} title="Generation did not start" />}
          {generated.length > 0 && (
            <ol className="generate-log">
              {generated.map(({ category, item }) => (
                <li key={item.simulation_case_id}>
                  <Link href={`/cases/${item.simulation_case_id}`}>{item.name}</Link>{' '}
                  <Badge value={category} tone="info">
                    {CATEGORIES.find((known) => known.value === category)?.label ?? category}
                  </Badge>
                  <p className="muted">
                    {item.success_criteria.length} {item.success_criteria.length === 1 ? 'criterion' : 'criteria'}
                    {(item.checks?.length ?? 0) > 0 && `, ${item.checks?.length} ${item.checks?.length === 1 ? 'check' : 'checks'}`}
                  </p>
                </li>
              ))}
            </ol>
          )}
          {phase === 'done' && <Link href={`/suites/${id}`}>See the suite</Link>}
        </section>
      )}
    </>
  );
}
