import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '@sims/api-types/error-status';
import { SimulationsApiError } from '../../src/index.js';

// An answer whose body is not the API's (a proxy's page, an empty body) gets its code from the status.
const bodiless = (status: number) => new SimulationsApiError(new Response('<html></html>', { status }), '<html></html>');

describe('the code of an error answer without the API body', () => {
  it('is the code the spec gives that status, for every 4xx code', () => {
    const fourHundreds = Object.entries(ERROR_STATUS).filter(([, status]) => status < 500);
    expect(fourHundreds.length).toBeGreaterThan(5);
    for (const [code, status] of fourHundreds) expect(bodiless(status).code, String(status)).toBe(code);
  });

  it('is server_error for a 5xx, even the status of internal_error', () => {
    expect(bodiless(ERROR_STATUS.internal_error).code).toBe('server_error');
    expect(bodiless(418).code).toBe('unknown_error');
  });
});
