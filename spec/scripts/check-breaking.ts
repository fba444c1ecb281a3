/** `pnpm contract:check`: fails on a breaking change of the bundled spec against the published snapshot. */
import { bundlePath } from '../runtime/index.js';
import { checkFiles } from './contract.js';

const { ok, report } = checkFiles(bundlePath);
console.log(report);
process.exitCode = ok ? 0 : 1;
