// The web client's type check, plain JS with JSDoc against the hand-written web/protocol.d.ts,
// web/dom.d.ts and web/activities/activity.d.ts: every module with web/tsconfig.json, and the
// all but common.js, index.js and results.js also with `strict` (web/tsconfig.strict.json).
// Run by tests/it/browser.rs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tsc = fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url));
if (!existsSync(tsc)) {
  console.error('typescript is not installed in tests/browser; scripts/test installs it (npm ci)');
  process.exit(1);
}
let failed = false;
for (const config of ['tsconfig.json', 'tsconfig.strict.json']) {
  const path = fileURLToPath(new URL(`../../web/${config}`, import.meta.url));
  const run = spawnSync(process.execPath, [tsc, '-p', path, '--pretty', 'false'], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`tsc -p web/${config} failed`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
