import type { TestProject } from 'vitest/node';
import type {} from './provided-context.js';
import { startPrism } from './prism.js';

/** vitest `globalSetup`: one Prism mock for the whole run, its URL provided as `prismUrl`. */
export default async function setup(project: TestProject) {
  const prism = await startPrism();
  project.provide('prismUrl', prism.url);
  return () => prism.stop();
}
