// The web client's type check: `tsc -p web` (web/tsconfig.json), plain JS with JSDoc checked
// against the hand-written web/protocol.d.ts and web/dom.d.ts. Run by tests/it/browser.rs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tsc = fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url));
if (!existsSync(tsc)) {
  console.error('typescript is not installed in tests/browser; scripts/test installs it (npm ci)');
  process.exit(1);
}
const web = fileURLToPath(new URL('../../web', import.meta.url));
const run = spawnSync(process.execPath, [tsc, '-p', web, '--pretty', 'false'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
