import type {} from 'vitest';

/** Values the workspace's vitest globalSetups provide to tests (`inject(...)`). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the Prism mock started by `@sims/testkit/global-setup`. */
    prismUrl: string;
  }
}
