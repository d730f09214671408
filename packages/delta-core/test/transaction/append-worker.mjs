// Child process for the multi-process commit test: appends `count` synthetic files to the table
// at `tableRoot`, one Transaction per file, and reports per-commit latency and attempts.
// argv: distDir tableRoot workerId count
const [distDir, tableRoot, workerId, countText] = process.argv.slice(2);
const { Transaction } = await import(`${distDir}/transaction/transaction.js`);
const { DeltaTable } = await import(`${distDir}/table/delta-table.js`);
const { createDefaultEngine } = await import(`${distDir}/table/default-engine.js`);
const { performance } = await import('node:perf_hooks');

const engine = createDefaultEngine({ workers: 0 });
const table = DeltaTable.forPath(tableRoot, { engine });
const count = Number(countText);
const latencies = [];
let retries = 0;
for (let i = 0; i < count; i++) {
  const snapshot = await table.snapshot();
  const tx = Transaction.begin(engine, snapshot, { operation: 'WRITE', operationParameters: { mode: 'Append' } });
  tx.addFiles([
    { path: `w${workerId}-${String(i).padStart(4, '0')}.parquet`, partitionValues: {}, size: 10, modificationTime: Date.now(), dataChange: true },
  ]);
  const t0 = performance.now();
  const r = await tx.commit();
  latencies.push(performance.now() - t0);
  retries += r.attempts - 1;
}
process.send({ workerId, latencies, retries }, () => process.exit(0));
