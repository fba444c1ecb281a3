import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { useApi } from '../../api.js';
import { PageHeader } from '../../ui/index.js';
import { ScenarioForm } from './scenario-form.js';

export function NewScenarioPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const create = api.useMutation('post', '/simulation_scenarios', {
    onSuccess: async (data) => {
      await queryClient.invalidateQueries({ queryKey: ['get', '/simulation_scenarios'] });
      navigate(`/scenarios/${data.response.id}`);
    },
  });
  return (
    <>
      <PageHeader title="New scenario" />
      <ScenarioForm
        initial={{ name: '', description: '' }}
        submitLabel="Create scenario"
        onSubmit={(body) => create.mutate({ body })}
        busy={create.isPending}
        error={create.error ?? undefined}
        errorTitle="The scenario was not created"
      />
    </>
  );
}
