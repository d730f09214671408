// Memory under a backlog: `--rows` rows already waiting in `--files` JSON-lines files, streamed by
// Auto Loader (format('cloudFiles'), Trigger.AvailableNow, cloudFiles.maxFilesPerTrigger
// `--per-trigger`) into a Delta table. Prints rows/s, the number of micro-batches, and the peak
// RSS next to the RSS of the same process after loading the modules (the baseline), sampled every
// 20 ms; also, as the reference, the peak RSS of one batch of `--per-trigger` files written with
// `DeltaTable.write` in one go. Peak RSS that stays near one batch's, whatever `--rows` is, is
// what "bounded" means here.
//
// Usage: node bench/stream-backlog.mjs [--rows 10000000] [--files 500] [--per-trigger 10] [--keep]
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmtMB, fmtRate, printTable, runChild, startMemorySampler } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/stream-backlog', import.meta.url));
const STREAMING = new URL('../packages/streaming/dist/index.js', import.meta.url).href;
const CORE = new URL('../packages/delta-core/dist/index.js', import.meta.url).href;
const CORE_INTERNAL = new URL('../packages/delta-core/dist/internal.js', import.meta.url).href;
const log = (msg) => process.stderr.write(`${msg}\n`);

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    files: { type: 'string', default: '500' },
    'per-trigger': { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});
const rows = Number(args.rows);
const files = Number(args.files);
const perTrigger = Number(args['per-trigger']);
const landing = join(OUT, `landing-${rows}-${files}`);

function generate() {
  if (existsSync(landing) && readdirSync(landing).length === files) return;
  rmSync(landing, { recursive: true, force: true });
  mkdirSync(landing, { recursive: true });
  const perFile = Math.ceil(rows / files);
  for (let f = 0; f < files; f++) {
    let text = '';
    for (let i = f * perFile; i < Math.min(rows, (f + 1) * perFile); i++) {
      text += `{"id":${i},"customer":"c${i % 100000}","amount":${(i % 100000) / 100},"qty":${i % 7},"ts":"2024-05-01T12:00:00Z"}\n`;
    }
    writeFileSync(join(landing, `part-${String(f).padStart(5, '0')}.json`), text);
  }
}

async function streamChild() {
  const { readStream, read } = await import(STREAMING);
  const dir = join(OUT, 'run');
  rmSync(dir, { recursive: true, force: true });
  const baseline = process.memoryUsage().rss;
  const mem = startMemorySampler(20);
  const t = performance.now();
  const q = await readStream
    .format('cloudFiles')
    .option('cloudFiles.format', 'json')
    .option('cloudFiles.schemaLocation', join(dir, 'chk'))
    .option('cloudFiles.inferColumnTypes', 'true')
    .option('cloudFiles.maxFilesPerTrigger', perTrigger)
    .load(landing)
    .writeStream.format('delta')
    .option('checkpointLocation', join(dir, 'chk'))
    .trigger({ availableNow: true })
    .start(join(dir, 'table'));
  await q.awaitTermination();
  const ms = performance.now() - t;
  const m = mem.stop();
  const count = await read.format('delta').load(join(dir, 'table')).count();
  process.stdout.write(JSON.stringify({ ms, batches: q.recentProgress.length, count, peakRss: m.maxRSS, baseline }) + '\n');
}

async function batchChild() {
  const { DeltaTable } = await import(CORE);
  const { openInputPath } = await import(CORE_INTERNAL);
  const { LocalFileSystemStore } = await import(CORE);
  const dir = join(OUT, 'batch');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'in'), { recursive: true });
  // One trigger's worth of files, written in one go.
  const { copyFileSync } = await import('node:fs');
  for (const name of readdirSync(landing).sort().slice(0, perTrigger)) copyFileSync(join(landing, name), join(dir, 'in', name));
  const baseline = process.memoryUsage().rss;
  const mem = startMemorySampler(20);
  const t = performance.now();
  const input = await openInputPath(new LocalFileSystemStore(), join(dir, 'in'), 'jsonl');
  const schema = await input.schema();
  const r = await DeltaTable.forPath(join(dir, 'table')).write(input.batches(schema), { mode: 'append' });
  await input.close();
  const ms = performance.now() - t;
  const m = mem.stop();
  process.stdout.write(JSON.stringify({ ms, count: r.numOutputRows, peakRss: m.maxRSS, baseline }) + '\n');
}

async function main() {
  if (args.child === 'stream') return streamChild();
  if (args.child === 'batch') return batchChild();
  log(`generating ${rows} rows in ${files} JSON files under ${landing} (reused when present)...`);
  generate();
  const child = (kind) => {
    const r = runChild(SELF, ['--child', kind, '--rows', String(rows), '--files', String(files), '--per-trigger', String(perTrigger)], { timeoutMs: 3_600_000 });
    if (r.error) throw new Error(`${kind}: ${r.error}`);
    return r;
  };
  const batch = child('batch');
  const stream = child('stream');
  printTable([
    ['variant', 'rows', 'time', 'rows/s', 'batches', 'peak RSS', 'RSS after load'],
    [`one batch of ${perTrigger} files, DeltaTable.write`, batch.count, `${(batch.ms / 1000).toFixed(1)} s`, fmtRate((batch.count / batch.ms) * 1000), 1, fmtMB(batch.peakRss), fmtMB(batch.baseline)],
    [`backlog stream, ${perTrigger} files per trigger`, stream.count, `${(stream.ms / 1000).toFixed(1)} s`, fmtRate((stream.count / stream.ms) * 1000), stream.batches, fmtMB(stream.peakRss), fmtMB(stream.baseline)],
  ]);
  if (stream.count !== rows) throw new Error(`the sink has ${stream.count} rows, expected ${rows}`);
  if (!args.keep) rmSync(join(OUT, 'run'), { recursive: true, force: true });
}

await main();
