/**
 * The API key lives in `sessionStorage` only: it survives a reload of the tab, dies with it, is never
 * put in a URL, and is never logged. The workspace id is kept beside it for the header.
 */
const KEY = 'sims.apiKey';
const WORKSPACE = 'sims.workspaceId';

export interface StoredSession {
  apiKey: string;
  workspaceId: string | null;
}

export function readSession(): StoredSession | null {
  const apiKey = sessionStorage.getItem(KEY);
  if (apiKey === null || apiKey === '') return null;
  return { apiKey, workspaceId: sessionStorage.getItem(WORKSPACE) };
}

export function writeSession(session: StoredSession): void {
  sessionStorage.setItem(KEY, session.apiKey);
  if (session.workspaceId === null) sessionStorage.removeItem(WORKSPACE);
  else sessionStorage.setItem(WORKSPACE, session.workspaceId);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(WORKSPACE);
}
