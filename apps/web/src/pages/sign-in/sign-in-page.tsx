import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { createApiClient } from '../../api.js';
import { useAuth } from '../../auth/context.js';
import { Button, ErrorState, Field } from '../../ui/index.js';
import { findWorkspace } from './workspace.js';
import './sign-in.css';

/**
 * Sign-in with a workspace API key, entered once per tab. The key is checked with a real call (list
 * agents, one item) before it is kept; it goes into `sessionStorage` only, never into the address.
 */
export function SignInPage() {
  const { signIn, endedBecause } = useAuth();
  const [, navigate] = useLocation();
  const [apiKey, setApiKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [failure, setFailure] = useState<unknown>();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const key = apiKey.trim();
    setFailure(undefined);
    if (key === '') {
      setProblem('Enter your API key.');
      return;
    }
    setProblem(undefined);
    setBusy(true);
    try {
      // Not the signed-in client: a 401 here means a wrong key, not a session to end.
      const client = createApiClient(key, () => {});
      const result = await findWorkspace(client);
      if (result.ok) {
        signIn({ apiKey: key, workspaceId: result.workspaceId });
        navigate('/suites', { replace: true });
      } else if (result.status === 401) {
        setProblem('This API key was not accepted. Check it and try again.');
      } else {
        setFailure(result.error);
      }
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Test Center</h1>
      <p className="muted">
        Sign in with your workspace API key. It stays in this browser tab only and is forgotten when you sign out or close the tab.
      </p>
      {endedBecause === 'expired' && (
        <p className="notice" role="status">
          The API no longer accepts the key you signed in with (it may have been revoked). Sign in again.
        </p>
      )}
      <form onSubmit={onSubmit} noValidate className="sign-in-form">
        <Field label="API key" error={problem} hint="Sent only as the Authorization header of each request." required>
          <input
            type="password"
            name="api_key"
            autoComplete="off"
            spellCheck={false}
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
          />
        </Field>
        <Button type="submit" variant="primary" busy={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </Button>
      </form>
      {failure !== undefined && <ErrorState error={failure} title="Could not check the key" />}
    </main>
  );
}
