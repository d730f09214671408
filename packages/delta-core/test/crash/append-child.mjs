// Child process of the crash-safety tests: appends batches to a local Delta table through the
// built package until it is killed. Prints `ready <version>` once the table is open and
// `committed <version> <batch>` after each write returns (stdout to a pipe is synchronous on
// Linux, so a printed line is never lost to the kill).
//
// argv: distDir tableRoot firstBatch
// CRASH_HOOK (env) makes the kill deterministic:
//   hang         the write's input yields 3 batches (each flushed as its own data file), prints
//                `hung`, and never ends: the parent kills it with data files written, no commit
//   before-link  SIGKILLs itself when the store is about to link a commit's temp file into place
//   after-link   SIGKILLs itself right after a commit's link succeeded, before anything else
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { setInterval } from 'node:timers';

const [distDir, tableRoot, firstBatchText] = process.argv.slice(2);
const hook = process.env.CRASH_HOOK ?? '';

if (hook === 'before-link' || hook === 'after-link') {
  // The local store links `.<name>.<uuid>.tmp` to `<name>` to commit; intercept that call.
  const fsp = createRequire(import.meta.url)('node:fs/promises');
  const link = fsp.link;
  const isCommit = (p) => /_delta_log\/\d{20}\.json$/.test(String(p));
  fsp.link = async (from, to) => {
    if (isCommit(to) && hook === 'before-link') {
      process.stdout.write(`linking ${to}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    await link(from, to);
    if (isCommit(to) && hook === 'after-link') {
      process.stdout.write(`linked ${to}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  };
  syncBuiltinESMExports();
}

const { DeltaTable, createDefaultEngine, LocalFileSystemStore } = await import(`${distDir}/index.js`);

const BATCH_ROWS = 50;
const schema = {
  kind: 'struct',
  fields: [
    { name: 'id', type: { kind: 'primitive', name: 'long' }, nullable: false, metadata: {} },
    { name: 'batch', type: { kind: 'primitive', name: 'integer' }, nullable: false, metadata: {} },
    { name: 'payload', type: { kind: 'primitive', name: 'string' }, nullable: true, metadata: {} },
  ],
};
const rowsOf = (b) => Array.from({ length: BATCH_ROWS }, (_, k) => ({ id: BigInt(b * BATCH_ROWS + k), batch: b, payload: `batch ${b} row ${k} `.repeat(4) }));

const engine = createDefaultEngine({ store: new LocalFileSystemStore(), workers: 0 });
const table = DeltaTable.forPath(tableRoot, { engine });
const snap = await table.snapshot();
process.stdout.write(`ready ${snap.version}\n`);

if (hook === 'hang') {
  setInterval(() => {}, 1 << 30); // keeps the process alive while the input hangs
  async function* input() {
    const first = Number(firstBatchText);
    for (let b = first; b < first + 3; b++) yield* batchesOf(b);
    process.stdout.write('hung\n');
    await new Promise(() => {});
  }
  await table.write(input(), { mode: 'append', targetFileSize: 1 });
  process.stdout.write('unexpected end\n');
} else {
  for (let b = Number(firstBatchText); ; b++) {
    const r = await table.write({ rows: rowsOf(b), schema }, { mode: 'append' });
    process.stdout.write(`committed ${r.version} ${b}\n`);
  }
}

/** The rows of batch `b` as one Arrow record batch (apache-arrow resolves to the copy dist uses). */
async function* batchesOf(b) {
  const { tableFromArrays, vectorFromArray, Utf8 } = await import('apache-arrow');
  const rows = rowsOf(b);
  const t = tableFromArrays({
    id: BigInt64Array.from(rows, (r) => r.id),
    batch: Int32Array.from(rows, (r) => r.batch),
    payload: vectorFromArray(rows.map((r) => r.payload), new Utf8()),
  });
  yield* t.batches;
}
