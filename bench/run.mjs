// Runs every benchmark in sequence (`pnpm bench`). Each bench starts its own child processes,
// so one failing bench does not stop the others.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const BENCHES = ['scan.mjs', 'snapshot.mjs', 'write.mjs', 'commit.mjs', 'cdf-read.mjs', 'dml-delete.mjs', 'merge.mjs', 'expr-eval.mjs', 'optimize.mjs', 'vacuum.mjs', 'stream-delta.mjs', 'stream-ingest.mjs'];
const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
if (argv.length && (runsAt !== 0 || argv.length !== 2)) {
  console.error('usage: node bench/run.mjs [--runs N]   (run bench/<name>.mjs directly for its other options)');
  process.exit(2);
}
const extraArgs = argv;

let failed = 0;
const t0 = performance.now();
for (const bench of BENCHES) {
  const script = fileURLToPath(new URL(`./${bench}`, import.meta.url));
  const res = spawnSync(process.execPath, [script, ...extraArgs], { stdio: 'inherit' });
  if (res.status !== 0) {
    failed++;
    console.error(`\n${bench} failed (${res.status ?? res.signal})`);
  }
}
console.log(`\nAll benches: ${((performance.now() - t0) / 1000).toFixed(0)} s${failed ? `, ${failed} failed` : ''}`);
process.exitCode = failed ? 1 : 0;
