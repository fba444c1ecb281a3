import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useApi } from '../../api';
import { CaseForm } from '../../components/case-form/CaseForm';
import { draftFromCase } from '../../components/case-form/model';
import { ConfirmAction, DateTime, ErrorState, Loading, PageHeader } from '../../ui';

/** `/cases/:id`: edits a case (lists are replaced as a whole, as the API does) or deletes it. */
export function CasePage() {
  const { id = '' } = useParams<{ id: string }>();
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [saved, setSaved] = useState(false);
  const path = { params: { path: { simulation_case_id: id } } };
  const read = api.useQuery('get', '/simulation_cases/{simulation_case_id}', path);
  const refreshSuites = () => {
    void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites/{suite_id}'] });
    void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites'] });
  };
  const update = api.useMutation('put', '/simulation_cases/{simulation_case_id}', {
    onSuccess: (data) => {
      queryClient.setQueryData(['get', '/simulation_cases/{simulation_case_id}', path], data);
      refreshSuites();
      setSaved(true);
    },
  });
  const suiteId = read.data?.response.suite_id ?? null;
  const remove = api.useMutation('delete', '/simulation_cases/{simulation_case_id}', {
    onSuccess: () => {
      refreshSuites();
      navigate(suiteId ? `/suites/${suiteId}` : '/suites');
    },
  });

  if (read.isPending) return <Loading label="Loading the case…" />;
  if (read.isError) return <ErrorState error={read.error} title="The case could not be loaded" retry={() => void read.refetch()} />;
  const item = read.data.response;

  return (
    <>
      <PageHeader
        title={item.name}
        description={
          <>
            {suiteId ? <Link href={`/suites/${suiteId}`}>Back to the suite</Link> : 'In no suite'} · updated{' '}
            <DateTime value={item.updated_at} />
          </>
        }
      />
      {saved && !update.isPending && (
        <p className="live-notice" role="status">
          Saved.
        </p>
      )}
      <CaseForm
        key={item.simulation_case_id}
        initial={draftFromCase(item)}
        submitLabel="Save case"
        busy={update.isPending}
        error={update.error}
        onSubmit={(body) => {
          setSaved(false);
          update.mutate({ ...path, body });
        }}
        actions={
          <ConfirmAction
            label="Delete case"
            question="Delete this case? Runs already made keep their copy."
            confirmLabel="Delete for good"
            busy={remove.isPending}
            onConfirm={() => remove.mutate(path)}
          />
        }
      />
      {remove.isError && <ErrorState error={remove.error} title="The case was not deleted" />}
    </>
  );
}
