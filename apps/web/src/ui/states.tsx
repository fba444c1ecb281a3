import type { ReactNode } from 'react';
import type { ErrorBody, FieldError } from '@sims/client';
import { SimulationsApiError } from '@sims/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

interface Described {
  code: string;
  message: string;
  details: readonly FieldError[];
  requestId: string | undefined;
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * Reads whatever a call failed with: the API's error body (what openapi-react-query throws), a
 * `SimulationsApiError` (the client's throwing helpers), or a transport failure.
 */
export function describeError(error: unknown): Described {
  if (error instanceof SimulationsApiError) {
    return { code: error.code, message: error.message, details: error.details, requestId: error.requestId };
  }
  if (isErrorBody(error)) {
    return { code: error.error.code, message: error.error.message, details: error.error.details ?? [], requestId: error.error.request_id };
  }
  if (error instanceof Error) return { code: error.name, message: error.message, details: [], requestId: undefined };
  return { code: 'unknown_error', message: String(error), details: [], requestId: undefined };
}

/** Shows an API error's code, message and field details; `retry` adds a button to try again. */
export function ErrorState({ error, title = 'Something went wrong', retry }: { error: unknown; title?: string; retry?: () => void }) {
  const { code, message, details, requestId } = describeError(error);
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <p>
        <code>{code}</code> {message}
      </p>
      {details.length > 0 && (
        <ul className="error-details">
          {details.map((detail) => (
            <li key={`${detail.location}:${detail.field}:${detail.message}`}>
              <code>
                {detail.location}
                {detail.field ? ` ${detail.field}` : ''}
              </code>
              : {detail.message}
            </li>
          ))}
        </ul>
      )}
      {requestId !== undefined && <p className="muted">Request id: {requestId}</p>}
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * The API's field problems keyed by field (`/name`, `page_size`, `/connector/url`), so a form can show
 * each next to its input; problems about the body as a whole are under `''`.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const detail of describeError(error).details) {
    out[detail.field] = out[detail.field] ? `${out[detail.field]}; ${detail.message}` : detail.message;
  }
  return out;
}
