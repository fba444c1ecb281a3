// Sums the vitest JSON reports of every package and the gate results into one plain line:
// "N passed, N failed". Exits 1 when anything failed or no test ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = process.argv[2] ?? '.ci-results';
const workspaces = [
  'spec',
  ...['packages', 'apps'].flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [])),
];

let passed = 0;
let failed = 0;
for (const workspace of workspaces) {
  const report = join(workspace, '.vitest', 'results.json');
  if (!existsSync(report)) continue;
  const { numPassedTests, numFailedTests, numTotalTests, numPendingTests, numTodoTests } = JSON.parse(readFileSync(report, 'utf8'));
  // Skipped or todo tests are not allowed: count them as failures.
  const notRun = (numPendingTests ?? 0) + (numTodoTests ?? 0);
  console.log(`${workspace}: ${numPassedTests} passed, ${numFailedTests + notRun} failed of ${numTotalTests}`);
  passed += numPassedTests;
  failed += numFailedTests + notRun;
}
const testsRan = passed + failed;

for (const gate of readdirSync(resultsDir)
  .filter((f) => f.startsWith('gate-'))
  .sort()) {
  const ok = readFileSync(join(resultsDir, gate), 'utf8').trim() === 'ok';
  console.log(`${gate.slice(5)}: ${ok ? 'ok' : 'FAILED'}`);
  if (ok) passed += 1;
  else failed += 1;
}
if (testsRan === 0) {
  console.log('no test ran');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
