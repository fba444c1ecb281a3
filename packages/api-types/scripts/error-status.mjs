// Writes src/error-status.js and .d.ts from the `x-status` map of the spec's ErrorCode schema, so
// the client knows each code's status without loading the bundle (it must stay small and
// browser-safe). Read from the source YAML: `generate` runs before the spec is bundled.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const source = 'spec/components/schemas/ErrorCode.yaml';
const schema = parse(readFileSync(new URL(`../../../${source}`, import.meta.url), 'utf8'));
const statuses = schema['x-status'] ?? {};
const codes = schema.enum ?? [];
const keys = Object.keys(statuses);
if (codes.length !== keys.length || codes.some((code) => !Number.isInteger(statuses[code]))) {
  throw new Error(`${source}: x-status must give an integer status for exactly the codes of the enum`);
}

const header = `// Generated from the x-status map of ${source} by scripts/error-status.mjs (\`pnpm generate\`). Never edit by hand.\n`;
const entries = codes.map((code) => `  ${code}: ${statuses[code]},\n`).join('');
const js = `${header}\n/** The HTTP status each error code is answered with. */\nexport const ERROR_STATUS = Object.freeze({\n${entries}});\n`;
const dts = `${header}\n/** The HTTP status each error code is answered with. */\nexport declare const ERROR_STATUS: {\n${codes.map((code) => `  readonly ${code}: ${statuses[code]};\n`).join('')}};\n`;
writeFileSync(new URL('../src/error-status.js', import.meta.url), js);
writeFileSync(new URL('../src/error-status.d.ts', import.meta.url), dts);
