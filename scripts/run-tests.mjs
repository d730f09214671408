// Runs every package's tests through turbo, then prints one closing line that CI can read:
// "tests: N passed, N failed, N skipped". Exits with turbo's status.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const packages = ['packages/delta-core', 'packages/cdf', 'packages/cli'];
const results = packages.map((p) => `${p}/.vitest-results.json`);
for (const r of results) rmSync(r, { force: true });

const run = spawnSync('npx', ['turbo', 'run', 'test', '--concurrency=1'], { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });

let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of results) {
  if (!existsSync(r)) continue;
  const json = JSON.parse(readFileSync(r, 'utf8'));
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(run.status ?? 1);
