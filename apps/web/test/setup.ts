import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Each test starts signed out, at a fresh address, with nothing rendered.
afterEach(() => {
  cleanup();
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});
