import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '@sims/api-types/error-status';
import { errorStatuses, loadBundle } from '@sims/spec/runtime';
import { ApiError, type ErrorCode } from '../src/http/errors.js';

describe('ApiError statuses', () => {
  it('answers each code with the status the spec declares, as the client expects it', () => {
    const statuses = errorStatuses(loadBundle());
    for (const [code, status] of Object.entries(statuses)) {
      expect(new ApiError(code as ErrorCode, 'message').status, code).toBe(status);
      expect(ERROR_STATUS[code as ErrorCode], code).toBe(status);
    }
  });
});
