import { useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'wouter';
import { useApi } from '../../api';
import { CaseForm } from '../../components/case-form/CaseForm';
import { emptyDraft } from '../../components/case-form/model';
import { ButtonLink, PageHeader } from '../../ui';

/** `/suites/:id/cases/new`: writes a case into the suite, then goes back to the suite. */
export function NewCasePage() {
  const { id = '' } = useParams<{ id: string }>();
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const create = api.useMutation('post', '/simulation_cases', {
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites/{suite_id}'] });
      void queryClient.invalidateQueries({ queryKey: ['get', '/simulation_suites'] });
      navigate(`/suites/${id}`);
    },
  });
  return (
    <>
      <PageHeader title="New case" description={<Link href={`/suites/${id}`}>Back to the suite</Link>} />
      <CaseForm
        initial={emptyDraft()}
        submitLabel="Create case"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate({ body: { ...body, suite_id: id } })}
        actions={<ButtonLink href={`/suites/${id}`}>Cancel</ButtonLink>}
      />
    </>
  );
}
