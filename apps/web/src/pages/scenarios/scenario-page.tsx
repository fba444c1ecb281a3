import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { useApi } from '../../api.js';
import { ConfirmAction, DateTime, ErrorState, Loading, PageHeader } from '../../ui/index.js';
import { ScenarioForm } from './scenario-form.js';

export function ScenarioPage({ params }: { params: { id: string } }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const path = { params: { path: { scenario_id: params.id } } };
  const scenario = api.useQuery('get', '/simulation_scenarios/{scenario_id}', path);
  const save = api.useMutation('put', '/simulation_scenarios/{scenario_id}', {
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['get', '/simulation_scenarios'] }),
        queryClient.invalidateQueries({ queryKey: ['get', '/simulation_scenarios/{scenario_id}'] }),
      ]),
  });
  const remove = api.useMutation('delete', '/simulation_scenarios/{scenario_id}', {
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['get', '/simulation_scenarios/{scenario_id}', path] });
      await queryClient.invalidateQueries({ queryKey: ['get', '/simulation_scenarios'] });
      navigate('/scenarios', { replace: true });
    },
  });

  if (scenario.isPending) return <Loading label="Loading the scenario…" />;
  if (scenario.isError) return <ErrorState error={scenario.error} title="Could not load the scenario" retry={() => scenario.refetch()} />;
  const record = scenario.data.response;
  return (
    <>
      <PageHeader
        title={record.name}
        description={
          <>
            Created <DateTime value={record.created_at} />, updated <DateTime value={record.updated_at} />
          </>
        }
      />
      {save.isSuccess && (
        <p role="status" className="notice">
          Saved.
        </p>
      )}
      <ScenarioForm
        key={record.updated_at}
        initial={{ name: record.name, description: record.description }}
        submitLabel="Save changes"
        onSubmit={(body) => save.mutate({ ...path, body })}
        busy={save.isPending}
        error={save.error ?? undefined}
        errorTitle="The scenario was not saved"
      />
      <h2>Delete</h2>
      {remove.isError && <ErrorState error={remove.error} title="The scenario was not deleted" />}
      <ConfirmAction
        label="Delete scenario"
        question={<>Delete “{record.name}”? This cannot be undone.</>}
        confirmLabel="Delete for good"
        busy={remove.isPending}
        onConfirm={() => remove.mutate(path)}
      />
    </>
  );
}
