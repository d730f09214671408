// Streaming ingest: Auto Loader (format('cloudFiles')) JSON files into a Delta table.
//
// (1) latency: file arrival → Delta commit visible, default trigger (as fast as possible, 10 ms
//     idle poll), `--files` small JSON files (10 rows each) written one at a time (write to a
//     hidden temp name, then rename, as landing tools do), the next file once the previous
//     commit is visible plus a random 5–25 ms pause; p50/p99 of (commit file visible − rename),
//     with cloudFiles.useNotifications off (listing) and on (file-system events).
// (2) throughput: `--rows` rows of JSON in `--tfiles` files → Delta, as a streaming query with
//     Trigger.AvailableNow (schema inferred with inferColumnTypes, default maxFilesPerTrigger
//     1000), next to the `deltakit write` path in one go (core openInputPath → schema inference
//     pass → DeltaTable.write), in rows/s, each in its own process, median of `--runs`.
//
// Usage: node bench/stream-ingest.mjs [--files 200] [--rows 1000000] [--tfiles 100] [--runs 3] [--only latency|throughput]
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout } from 'node:timers';
import { fmtRate, median, printTable, runChild } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/stream-ingest', import.meta.url));
const STREAMING = new URL('../packages/streaming/dist/index.js', import.meta.url).href;
const CORE = new URL('../packages/delta-core/dist/index.js', import.meta.url).href;
const CORE_INTERNAL = new URL('../packages/delta-core/dist/internal.js', import.meta.url).href;
const log = (msg) => process.stderr.write(`${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '200' },
    rows: { type: 'string', default: '1000000' },
    tfiles: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    child: { type: 'string' },
    notifications: { type: 'string' },
  },
});

/** Prints objects as a table (keys of the first one as the header). */
const printRows = (objs) => {
  const keys = [...new Set(objs.flatMap((o) => Object.keys(o)))];
  printTable([keys, ...objs.map((o) => keys.map((k) => o[k] ?? ''))]);
};

const row = (i) => ({ order_id: `o${i}`, customer: `c${i % 1000}`, amount: (i % 10000) / 100, qty: i % 7, ts: '2024-05-01T12:00:00Z', note: i % 3 === 0 ? null : 'standard' });
const jsonl = (from, n) => {
  let s = '';
  for (let i = from; i < from + n; i++) s += JSON.stringify(row(i)) + '\n';
  return s;
};
const logFile = (table, v) => join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`);

async function latencyChild(notifications) {
  const { readStream } = await import(STREAMING);
  const dir = join(OUT, `latency-${notifications ? 'events' : 'listing'}`);
  rmSync(dir, { recursive: true, force: true });
  const landing = join(dir, 'landing');
  const tmp = join(dir, 'tmp');
  mkdirSync(landing, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(landing, 'seed.json'), jsonl(0, 10)); // the schema is inferred from it
  const table = join(dir, 'table');
  const q = await readStream
    .format('cloudFiles')
    .option('cloudFiles.format', 'json')
    .option('cloudFiles.schemaLocation', join(dir, 'chk'))
    .option('cloudFiles.useNotifications', String(notifications))
    .load(landing)
    .writeStream.format('delta')
    .option('checkpointLocation', join(dir, 'chk'))
    .start(table);
  await q.processAllAvailable();
  let version = 0;
  while (existsSync(logFile(table, version + 1))) version++;
  const n = Number(args.files);
  const lat = [];
  for (let i = 1; i <= n; i++) {
    await sleep(5 + Math.random() * 20);
    const name = `f${String(i).padStart(5, '0')}.json`;
    writeFileSync(join(tmp, name), jsonl(i * 10, 10));
    const t0 = performance.now();
    renameSync(join(tmp, name), join(landing, name));
    const next = logFile(table, version + 1);
    while (!existsSync(next)) await sleep(0.2);
    lat.push(performance.now() - t0);
    version++;
    if (performance.now() - t0 > 5000) throw new Error('a file took more than 5 s');
  }
  await q.stop();
  const s = [...lat].sort((a, b) => a - b);
  return { p50: median(s), p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))], max: s[s.length - 1], files: n };
}

function generate(dir, rows, files) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const per = Math.ceil(rows / files);
  for (let f = 0; f < files; f++) writeFileSync(join(dir, `part-${String(f).padStart(5, '0')}.json`), jsonl(f * per, Math.min(per, rows - f * per)));
}

async function throughputChild(kind) {
  const rows = Number(args.rows);
  const input = join(OUT, 'input');
  const dir = join(OUT, `tp-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  const table = join(dir, 'table');
  const t0 = performance.now();
  if (kind === 'stream') {
    const { readStream } = await import(STREAMING);
    const q = await readStream
      .format('cloudFiles')
      .option('cloudFiles.format', 'json')
      .option('cloudFiles.inferColumnTypes', 'true')
      .option('cloudFiles.schemaLocation', join(dir, 'chk'))
      .load(input)
      .writeStream.format('delta')
      .option('checkpointLocation', join(dir, 'chk'))
      .trigger({ availableNow: true })
      .start(table);
    await q.awaitTermination();
    if (q.exception()) throw q.exception();
  } else {
    const { DeltaTable, LocalFileSystemStore } = await import(CORE);
    const { openInputPath } = await import(CORE_INTERNAL);
    const src = await openInputPath(new LocalFileSystemStore(), input, 'jsonl');
    const schema = await src.schema();
    const t = DeltaTable.forPath(table);
    await t.write(src.batches(schema), { mode: 'errorIfExists' });
    await src.close();
    await t.close();
  }
  const ms = performance.now() - t0;
  const { DeltaTable } = await import(CORE);
  const snap = await DeltaTable.forPath(table).snapshot();
  let n = 0;
  for await (const b of snap.scan().batches()) n += b.numRows;
  if (n !== rows) throw new Error(`${kind}: the table has ${n} rows, expected ${rows}`);
  return { ms, rowsPerSec: rows / (ms / 1000), maxRSS: process.resourceUsage().maxRSS * 1024 };
}

if (args.child !== undefined) {
  try {
    const r = args.child === 'latency' ? await latencyChild(args.notifications === 'true') : await throughputChild(args.child);
    console.log(JSON.stringify(r));
  } catch (e) {
    console.log(JSON.stringify({ error: e instanceof Error ? e.stack : String(e) }));
  }
} else {
  const runs = Number(args.runs);
  if (args.only !== 'throughput') {
    log(`latency: ${args.files} files, one at a time, default trigger`);
    const rows = [];
    for (const notifications of [false, true]) {
      const r = runChild(SELF, ['--child', 'latency', '--notifications', String(notifications), '--files', args.files], { timeoutMs: 600_000 });
      rows.push(r.error ? { variant: notifications ? 'events' : 'listing', error: r.error.slice(0, 300) } : { variant: notifications ? 'useNotifications=true (file-system events)' : 'useNotifications=false (listing)', p50: `${r.p50.toFixed(1)} ms`, p99: `${r.p99.toFixed(1)} ms`, max: `${r.max.toFixed(1)} ms` });
    }
    printRows(rows);
  }
  if (args.only !== 'latency') {
    const rows = Number(args.rows);
    log(`throughput: generating ${rows} rows in ${args.tfiles} JSON files`);
    generate(join(OUT, 'input'), rows, Number(args.tfiles));
    const res = { stream: [], write: [] };
    for (let r = 0; r < runs; r++) {
      for (const kind of ['stream', 'write']) {
        const x = runChild(SELF, ['--child', kind, '--rows', String(rows)], { timeoutMs: 600_000 });
        if (x.error) {
          log(`${kind}: ${x.error}`);
          continue;
        }
        res[kind].push(x);
      }
    }
    const rate = (xs) => median(xs.map((x) => x.rowsPerSec));
    const out = [];
    for (const kind of ['stream', 'write']) {
      if (res[kind].length === 0) continue;
      out.push({
        variant: kind === 'stream' ? 'readStream cloudFiles → Delta, availableNow' : 'deltakit write (core DeltaTable.write, one go)',
        rows: rows,
        time: `${(median(res[kind].map((x) => x.ms)) / 1000).toFixed(2)} s`,
        'rows/s': fmtRate(rate(res[kind])),
        'peak RSS': `${Math.round(Math.max(...res[kind].map((x) => x.maxRSS)) / 2 ** 20)} MiB`,
      });
    }
    printRows(out);
    if (res.stream.length && res.write.length) console.log(`stream / write = ${(rate(res.stream) / rate(res.write)).toFixed(2)}x (goal ≥ 0.8x)`);
  }
}
