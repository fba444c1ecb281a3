import { fileURLToPath } from 'node:url';

/** The bundled single-file spec written by `pnpm --filter @sims/spec bundle`. */
export const bundledSpecPath = fileURLToPath(new URL('../../../spec/dist/openapi.json', import.meta.url));
