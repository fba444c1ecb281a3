import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { useApi } from '../../api.js';
import { useAuth } from '../../auth/context.js';
import { PageHeader } from '../../ui/index.js';
import { AgentForm } from './agent-form.js';
import { SigningSecretOnce } from './signing-secret.js';

/** Create an agent; the answer's signing secret is shown here, this once, before going on to the agent. */
export function NewAgentPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const { session, setWorkspace } = useAuth();
  const create = api.useMutation('post', '/agents', {
    onSuccess: (data) => {
      if (!session?.workspaceId) setWorkspace(data.response.workspace_id);
      return queryClient.invalidateQueries({ queryKey: ['get', '/agents'] });
    },
  });
  const created = create.data?.response;

  if (created) {
    return (
      <>
        <PageHeader title={`Agent “${created.name}” created`} />
        {created.signing_secret !== undefined && <SigningSecretOnce secret={created.signing_secret} />}
        <p>
          <Link href={`/agents/${created.id}`}>Go to the agent</Link> · <Link href="/agents">All agents</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <PageHeader title="New agent" description="Its name and prompt, and how the engine reaches it." />
      <AgentForm mode="create" onSubmit={(body) => create.mutate({ body })} busy={create.isPending} error={create.error ?? undefined} />
    </>
  );
}
