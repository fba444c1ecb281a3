import { type FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useApi } from '../../api';
import { Button, ButtonLink, describeError, ErrorState, Field, Loading, PageHeader } from '../../ui';

/** Whole number within [min, max], else a message saying so. */
function checkRange(text: string, min: number, max: number): string | undefined {
  const value = Number(text);
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : `must be a whole number from ${min} to ${max}`;
}

/**
 * `/suites/:id/run`: starts a session of the suite on its agent, every case run `iterations` times,
 * and opens the session, whose page follows it live.
 */
export function RunPage() {
  const { id = '' } = useParams<{ id: string }>();
  const api = useApi();
  const [, navigate] = useLocation();
  const [maxTurns, setMaxTurns] = useState('20');
  const [iterations, setIterations] = useState('1');
  const [shown, setShown] = useState(false);
  const suite = api.useQuery('get', '/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } });
  const execute = api.useMutation('post', '/simulation_suites/{suite_id}/execute', {
    onSuccess: (data) => navigate(`/sessions/${data.session_id}`),
  });

  if (suite.isPending) return <Loading label="Loading the suite…" />;
  if (suite.isError) return <ErrorState error={suite.error} title="The suite could not be loaded" retry={() => void suite.refetch()} />;
  const data = suite.data.response;

  const apiProblems = execute.error ? describeError(execute.error).details : [];
  const apiAt = (name: string) =>
    apiProblems
      .filter((problem) => problem.location === 'query' && problem.field === name)
      .map((problem) => problem.message)
      .join('; ') || undefined;
  const turnsProblem = shown ? checkRange(maxTurns, 10, 50) : undefined;
  const iterationsProblem = shown ? checkRange(iterations, 1, 20) : undefined;
  const cases = data.cases.length;
  const runs = Number.isInteger(Number(iterations)) ? cases * Number(iterations) : cases;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShown(true);
    if (checkRange(maxTurns, 10, 50) || checkRange(iterations, 1, 20)) return;
    execute.mutate({
      params: {
        path: { suite_id: id },
        query: { target_agent_id: data.model_id, max_turns: Number(maxTurns), iterations: Number(iterations) },
        // One key per attempt, so a retried request never starts a second session (`randomUUID` exists
        // only in secure contexts: over plain http to another host the run goes without one).
        ...(typeof crypto.randomUUID === 'function' ? { header: { 'Idempotency-Key': crypto.randomUUID() } } : {}),
      },
    });
  };

  return (
    <>
      <PageHeader title={`Run ${data.name}`} description={<Link href={`/suites/${id}`}>Back to the suite</Link>} />
      {cases === 0 ? (
        <div className="state state-empty">
          <p className="state-title">This suite has no cases to run</p>
          <p>
            <Link href={`/suites/${id}/cases/new`}>Write a case</Link> or <Link href={`/suites/${id}/generate`}>generate cases</Link> first.
          </p>
        </div>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <p>
            Runs on {data.agent ? <Link href={`/agents/${data.agent.id}`}>{data.agent.name}</Link> : <code>{data.model_id}</code>}: {cases}{' '}
            {cases === 1 ? 'case' : 'cases'}, {runs} {runs === 1 ? 'simulation' : 'simulations'} in all.
          </p>
          {execute.isError && <ErrorState error={execute.error} title="The run did not start" />}
          <Field label="Max turns" hint="Per simulation, 10 to 50." error={turnsProblem ?? apiAt('max_turns')} required>
            <input
              type="number"
              inputMode="numeric"
              min={10}
              max={50}
              value={maxTurns}
              onChange={(event) => setMaxTurns(event.target.value)}
            />
          </Field>
          <Field
            label="Iterations"
            hint="How many times each case runs, 1 to 20: more runs give a pass rate instead of one outcome."
            error={iterationsProblem ?? apiAt('iterations')}
            required
          >
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={20}
              value={iterations}
              onChange={(event) => setIterations(event.target.value)}
            />
          </Field>
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={execute.isPending}>
              Start run
            </Button>
            <ButtonLink href={`/suites/${id}`}>Cancel</ButtonLink>
          </div>
        </form>
      )}
    </>
  );
}
