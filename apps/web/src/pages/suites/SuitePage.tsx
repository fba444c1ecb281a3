import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useApi } from '../../api';
import { Button, ButtonLink, ConfirmAction, DateTime, Empty, ErrorState, Loading, PageHeader } from '../../ui';
import { SuiteFields } from './SuiteFields';
import './suites.css';

/** A suite: its facts, the links to work with it, and its cases (the suite's read holds them all, at most 100). */
export function SuitePage() {
  const { id = '' } = useParams<{ id: string }>();
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [editing, setEditing] = useState(false);
  const suite = api.useQuery('get', '/simulation_suites/{suite_id}', { params: { path: { suite_id: id } } });
  const update = api.useMutation('put', '/simulation_suites/{suite_id}', {
    onSuccess: () => {
      setEditing(false);
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites/{suite_id}'] });
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites'] });
    },
  });
  const remove = api.useMutation('delete', '/simulation_suites/{suite_id}', {
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites'] });
      navigate('/suites');
    },
  });

  if (suite.isPending) return <Loading label="Loading the suite…" />;
  if (suite.isError) return <ErrorState error={suite.error} title="The suite could not be loaded" retry={() => void suite.refetch()} />;
  const data = suite.data.response;

  return (
    <>
      <PageHeader
        title={data.name}
        description={<Link href="/suites">All suites</Link>}
        actions={
          <>
            <ButtonLink href={`/suites/${id}/run`} variant="primary">
              Run
            </ButtonLink>
            <ButtonLink href={`/suites/${id}/sessions`}>Sessions</ButtonLink>
            <ButtonLink href={`/suites/${id}/generate`}>Generate cases</ButtonLink>
            <ButtonLink href={`/suites/${id}/cases/new`}>Add case</ButtonLink>
          </>
        }
      />
      {editing ? (
        <section className="suite-section" aria-labelledby="suite-edit">
          <h2 id="suite-edit">Edit suite</h2>
          <SuiteFields
            initial={{ name: data.name, model_id: data.model_id }}
            submitLabel="Save suite"
            busy={update.isPending}
            error={update.error}
            onSubmit={(values) => update.mutate({ params: { path: { suite_id: id } }, body: values })}
            actions={
              <Button
                onClick={() => {
                  update.reset();
                  setEditing(false);
                }}
              >
                Cancel
              </Button>
            }
          />
        </section>
      ) : (
        <>
          <dl className="suite-facts">
            <dt>Agent</dt>
            <dd>
              {data.agent ? (
                <Link href={`/agents/${data.agent.id}`}>{data.agent.name}</Link>
              ) : (
                <span className="muted">deleted ({data.model_id})</span>
              )}
            </dd>
            <dt>Language</dt>
            <dd>{data.language}</dd>
            <dt>Created</dt>
            <dd>
              <DateTime value={data.created_at} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <DateTime value={data.updated_at} />
            </dd>
          </dl>
          <div className="form-actions">
            <Button onClick={() => setEditing(true)}>Edit suite</Button>
            <ConfirmAction
              label="Delete suite"
              question={`Delete this suite and its ${data.cases.length} cases? Sessions already run keep their history.`}
              confirmLabel="Delete for good"
              busy={remove.isPending}
              onConfirm={() => remove.mutate({ params: { path: { suite_id: id } } })}
            />
          </div>
          {remove.isError && <ErrorState error={remove.error} title="The suite was not deleted" />}
        </>
      )}

      <section className="suite-section" aria-labelledby="suite-cases">
        <h2 id="suite-cases">Cases ({data.cases.length})</h2>
        {data.cases.length === 0 ? (
          <Empty title="No cases yet">
            <p>
              <Link href={`/suites/${id}/cases/new`}>Write a case</Link> or <Link href={`/suites/${id}/generate`}>generate cases</Link> from
              the agent’s prompt.
            </p>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Cases of the suite, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Criteria</th>
                  <th scope="col">Checks</th>
                  <th scope="col">Caller</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {data.cases.map((item) => (
                  <tr key={item.simulation_case_id}>
                    <td>
                      <Link href={`/cases/${item.simulation_case_id}`}>{item.name}</Link>
                    </td>
                    <td>
                      {item.success_criteria.length} ({item.call_success_type === 'all' ? 'all must pass' : 'any passes'})
                    </td>
                    <td>{item.checks?.length ?? 0}</td>
                    <td>{(item.caller_turns?.length ?? 0) > 0 ? `scripted, ${item.caller_turns?.length} turns` : 'from the prompt'}</td>
                    <td>
                      <DateTime value={item.updated_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
