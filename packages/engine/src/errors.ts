import type { ErrorInfo } from './types.js';

/** A failure the engine reports as `error_info` rather than letting it escape. */
export class EngineError extends Error {
  readonly code: ErrorInfo['code'];
  readonly type: string;

  constructor(code: ErrorInfo['code'], type: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
    this.type = type;
  }

  toErrorInfo(): ErrorInfo {
    return { message: this.message, code: this.code, type: this.type };
  }
}

/** The agent under test failed, timed out or answered something the protocol does not allow. */
export function agentError(type: string, message: string, cause?: unknown): EngineError {
  return new EngineError(424, type, message, { cause });
}
