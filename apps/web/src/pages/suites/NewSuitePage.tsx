import { useLocation } from 'wouter';
import { useApi } from '../../api';
import { ButtonLink, PageHeader } from '../../ui';
import { SuiteFields } from './SuiteFields';

export function NewSuitePage() {
  const api = useApi();
  const [, navigate] = useLocation();
  const create = api.useMutation('post', '/simulation_suites', {
    onSuccess: (data) => navigate(`/suites/${data.response.id}`),
  });
  return (
    <>
      <PageHeader title="New suite" description="A suite groups the cases you run together against one agent." />
      <SuiteFields
        initial={{ name: '', model_id: '' }}
        submitLabel="Create suite"
        busy={create.isPending}
        error={create.error}
        onSubmit={(values) => create.mutate({ body: values })}
        actions={<ButtonLink href="/suites">Cancel</ButtonLink>}
      />
    </>
  );
}
