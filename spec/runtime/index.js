// Plain JavaScript with a hand-written index.d.ts, so that the spec package needs no build step:
// the server and the test kit import it as it is.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const SPEC_ID = 'openapi.json';

export const bundlePath = fileURLToPath(new URL('../dist/openapi.json', import.meta.url));

export function loadBundle(file = bundlePath) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export const escapePointer = (segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

export const unescapePointer = (segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~');

export function at(document, pointer) {
  return pointer
    .split('/')
    .slice(1)
    .map(unescapePointer)
    .reduce((node, key) => node?.[key], document);
}

export function resolveRef(document, node, pointer = '') {
  while (node && typeof node.$ref === 'string') {
    pointer = node.$ref.slice(1);
    node = at(document, pointer);
  }
  return { node, pointer };
}

export function createAjv(spec, options = {}) {
  const ajv = new Ajv2020({ strict: false, ...options });
  addFormats.default(ajv);
  ajv.addSchema(spec, SPEC_ID);
  return ajv;
}

export function errorStatuses(spec) {
  const errorCode = spec.components?.schemas?.ErrorCode;
  const statuses = errorCode?.['x-status'];
  if (!statuses) throw new Error('the spec declares no x-status map on ErrorCode');
  const codes = errorCode.enum ?? [];
  const mapped = Object.keys(statuses);
  const missing = codes.filter((code) => !mapped.includes(code));
  const unknown = mapped.filter((code) => !codes.includes(code));
  if (missing.length || unknown.length) {
    throw new Error(
      `ErrorCode's x-status does not match its enum (missing: ${missing.join(', ') || 'none'}; unknown: ${unknown.join(', ') || 'none'})`,
    );
  }
  return { ...statuses };
}
