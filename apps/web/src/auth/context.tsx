import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { clearSession, readSession, type StoredSession, writeSession } from './storage.js';

interface AuthValue {
  session: StoredSession | null;
  signIn(session: StoredSession): void;
  /** Forgets the key; `expired` when the API refused it (a 401), which the sign-in page then says. */
  signOut(reason?: 'expired'): void;
  /** Why the last session ended, when the user did not end it. */
  endedBecause: 'expired' | null;
  /** Records the workspace once a record shows it (a workspace with no records yet has none to show). */
  setWorkspace(workspaceId: string): void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<StoredSession | null>(() => readSession());
  const [endedBecause, setEndedBecause] = useState<'expired' | null>(null);
  const signIn = useCallback((next: StoredSession) => {
    writeSession(next);
    setSession(next);
    setEndedBecause(null);
  }, []);
  const signOut = useCallback((reason?: 'expired') => {
    clearSession();
    setSession(null);
    setEndedBecause(reason ?? null);
  }, []);
  const setWorkspace = useCallback((workspaceId: string) => {
    setSession((current) => {
      if (current === null || current.workspaceId === workspaceId) return current;
      const next = { ...current, workspaceId };
      writeSession(next);
      return next;
    });
  }, []);
  const value = useMemo(
    () => ({ session, signIn, signOut, setWorkspace, endedBecause }),
    [session, signIn, signOut, setWorkspace, endedBecause],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth: no AuthProvider above this component');
  return value;
}

/**
 * Learns the workspace shown in the header from a record the key can see, when it is not known yet
 * (no operation names a key's workspace; see the app's README).
 */
export function useWorkspaceFrom(record: { workspace_id: string } | undefined): void {
  const { session, setWorkspace } = useAuth();
  useEffect(() => {
    if (record && !session?.workspaceId) setWorkspace(record.workspace_id);
  }, [record, session?.workspaceId, setWorkspace]);
}
