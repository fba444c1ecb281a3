/** `pnpm contract:snapshot`: publishes the bundled spec as the contract the check compares with (see spec/README.md). */
import { bundlePath } from '../runtime/index.js';
import { snapshotFiles } from './contract.js';

const { ok, report } = snapshotFiles(bundlePath);
console.log(report);
process.exitCode = ok ? 0 : 1;
