import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { useApi } from '../../api.js';
import { Button, ConfirmAction, DateTime, ErrorState, Loading, PageHeader } from '../../ui/index.js';
import { AgentForm } from './agent-form.js';
import { SigningSecretOnce } from './signing-secret.js';

/** One agent: edit it, rotate its signing secret (shown once), delete it. */
export function AgentPage({ params }: { params: { id: string } }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const path = { params: { path: { agent_id: params.id } } };
  const agent = api.useQuery('get', '/agents/{agent_id}', path);
  const refresh = () =>
    queryClient
      .invalidateQueries({ queryKey: ['get', '/agents'] })
      .then(() => queryClient.invalidateQueries({ queryKey: ['get', '/agents/{agent_id}'] }));
  const save = api.useMutation('put', '/agents/{agent_id}', { onSuccess: refresh });
  const rotate = api.useMutation('post', '/agents/{agent_id}/rotate_signing_secret');
  const remove = api.useMutation('delete', '/agents/{agent_id}', {
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['get', '/agents/{agent_id}', path] });
      await queryClient.invalidateQueries({ queryKey: ['get', '/agents'] });
      navigate('/agents', { replace: true });
    },
  });

  if (agent.isPending) return <Loading label="Loading the agent…" />;
  if (agent.isError) return <ErrorState error={agent.error} title="Could not load the agent" retry={() => agent.refetch()} />;
  const record = agent.data.response;
  return (
    <>
      <PageHeader
        title={record.name}
        description={
          <>
            Created <DateTime value={record.created_at} />, updated <DateTime value={record.updated_at} /> · id <code>{record.id}</code>
          </>
        }
      />
      {save.isSuccess && (
        <p role="status" className="notice">
          Saved.
        </p>
      )}
      {/* Keyed by the record's version, so a save shows what the server now holds. */}
      <AgentForm
        key={record.updated_at}
        mode="edit"
        agent={record}
        onSubmit={(body) => save.mutate({ ...path, body })}
        busy={save.isPending}
        error={save.error ?? undefined}
      />

      <h2>Signing secret</h2>
      {rotate.data ? (
        <SigningSecretOnce secret={rotate.data.response.signing_secret} />
      ) : (
        <p className="muted">
          Shown only when the agent is created or the secret is rotated. Rotating makes the old secret stop working at once.
        </p>
      )}
      {rotate.isError && <ErrorState error={rotate.error} title="The secret was not rotated" />}
      <Button onClick={() => rotate.mutate(path)} busy={rotate.isPending}>
        Rotate signing secret
      </Button>

      <h2>Delete</h2>
      {remove.isError && <ErrorState error={remove.error} title="The agent was not deleted" />}
      <ConfirmAction
        label="Delete agent"
        question={<>Delete “{record.name}”? Suites and cases that use it can no longer run. This cannot be undone.</>}
        confirmLabel="Delete for good"
        busy={remove.isPending}
        onConfirm={() => remove.mutate(path)}
      />
    </>
  );
}
