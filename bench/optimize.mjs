// OPTIMIZE throughput: compacting a table of many small files (the rows of write-data.mjs,
// written as ~400 files in one commit) into one file, in MB/s of input rewritten, next to raw
// parquet-wasm reading the same files, writing the same rows, and both (the floor for any
// compaction built on parquet-wasm), measured in the same run. Every run is a fresh process on a
// fresh copy of the table (copying is not timed), so peak RSS is per run; the median is reported.
//
// Usage: node bench/optimize.mjs [--rows 2000000] [--files 400] [--runs 3] [--keep]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { openAsBlob } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmtMB, fmtTimes, loadDeltakit, median, printTable, runChild } from './lib.mjs';
import { buildBatches } from './write-data.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/optimize', import.meta.url));
const SOURCE = join(OUT, 'source');
const ROW_GROUP_ROWS = 1 << 20;
const log = (msg) => process.stderr.write(`${msg}\n`);

const VARIANTS = [
  { id: 'deltakit-0', label: 'table.optimize() (bin-packing, one bin), engine with workers: 0: read, DVs/conform, write with stats, commit, all on the main thread' },
  { id: 'deltakit', label: 'table.optimize() with the default engine (decode and encode workers)' },
  { id: 'raw-read', label: 'parquet-wasm ParquetFile.stream + arrow-js-ffi (copy) over every input file, one thread' },
  { id: 'raw-write', label: 'parquet-wasm writeParquet of the same rows (read beforehand, untimed) as one file, snappy, 2^20-row groups, page stats' },
  { id: 'raw-rw', label: 'raw-read then raw-write in one pass: the floor for a compaction on parquet-wasm, one thread' },
];

/** Live data files of the table's latest version, from its single write commit. */
function liveFiles(dir) {
  const text = readFileSync(join(dir, '_delta_log', '00000000000000000001.json'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.startsWith('{"add"'))
    .map((l) => join(dir, decodeURIComponent(JSON.parse(l).add.path)));
}

/** Creates the source table once (reused while it matches the requested shape). */
async function ensureSource(core, rows, files) {
  const marker = join(SOURCE, `.shape-${rows}-${files}`);
  if (existsSync(marker)) return;
  rmSync(SOURCE, { recursive: true, force: true });
  log(`generating ${rows.toLocaleString('en-US')} rows in about ${files} files under ${SOURCE} ...`);
  const table = core.DeltaTable.forPath(SOURCE);
  const { struct, field, primitive } = core;
  await table.create({ schema: struct([field('id', primitive('long')), field('value', primitive('double')), field('category', primitive('string')), field('ts', primitive('timestamp'))]) });
  const per = Math.ceil(rows / files);
  async function* batches() {
    for (const b of buildBatches(rows, per)) yield b;
  }
  // A tiny target makes the writer start a file about every batch; the rows per file vary a little.
  const r = await table.write(batches(), { mode: 'append', targetFileSize: 64 * 1024 });
  await table.close();
  log(`  ${r.numFiles} files, ${fmtMB(r.numOutputBytes)}`);
  await writeFile(marker, '');
}

/** arrow-js-ffi's ESM build (the CJS one would bring a second apache-arrow instance). */
async function importArrowFfi() {
  const req = createRequire(fileURLToPath(new URL('../packages/delta-core/package.json', import.meta.url)));
  return import(pathToFileURL(join(dirname(req.resolve('arrow-js-ffi')), 'arrow-js-ffi.es.mjs')).href);
}

async function rawRead(files, onBatch) {
  const pw = await import('parquet-wasm');
  const { parseRecordBatch } = await importArrowFfi();
  let rows = 0;
  for (const path of files) {
    const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
    const stream = await file.stream({ batchSize: ROW_GROUP_ROWS });
    for await (const wasmBatch of stream) {
      const ffi = wasmBatch.intoFFI();
      const batch = parseRecordBatch(pw.wasmMemory().buffer, ffi.arrayAddr(), ffi.schemaAddr(), true);
      ffi.free();
      onBatch(batch);
      rows += batch.numRows;
    }
    file.free();
  }
  return rows;
}

async function rawWrite(batches, out) {
  const pw = await import('parquet-wasm');
  const arrow = await import('apache-arrow');
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(ROW_GROUP_ROWS).setStatisticsEnabled(pw.EnabledStatistics.Page).build();
  const table = new arrow.Table(batches);
  const data = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
  mkdirSync(out, { recursive: true });
  await writeFile(join(out, 'part-00000.snappy.parquet'), data);
  return data.length;
}

/** Child: one timed run of one variant on a fresh copy of the source table; prints the result. */
async function child(id) {
  const work = join(OUT, `work-${id}`);
  rmSync(work, { recursive: true, force: true });
  cpSync(SOURCE, work, { recursive: true });
  const files = liveFiles(work);
  const inputBytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const t0 = { ms: 0, cpu: process.cpuUsage() };
  let result;
  if (id.startsWith('deltakit')) {
    const loaded = await loadDeltakit();
    if (loaded.unavailable) return { unavailable: loaded.unavailable };
    if (typeof loaded.core.DeltaTable.prototype.optimize !== 'function') return { unavailable: '@deltakit/core has no DeltaTable.optimize yet' };
    const table = loaded.core.DeltaTable.forPath(work, id === 'deltakit-0' ? { engine: loaded.core.createDefaultEngine({ workers: 0 }) } : {});
    await (await table.snapshot()).files(); // table opened (log read) before timing
    t0.ms = performance.now();
    t0.cpu = process.cpuUsage();
    const m = await table.optimize();
    result = { ms: performance.now() - t0.ms, filesIn: m.numFilesRemoved, filesOut: m.numFilesAdded, outputBytes: m.filesAdded.totalSize, rows: null };
    await table.close();
  } else if (id === 'raw-write') {
    const batches = [];
    await rawRead(files, (b) => batches.push(b));
    t0.ms = performance.now();
    t0.cpu = process.cpuUsage();
    const outputBytes = await rawWrite(batches, join(work, 'raw-out'));
    result = { ms: performance.now() - t0.ms, filesIn: files.length, filesOut: 1, outputBytes, rows: batches.reduce((n, b) => n + b.numRows, 0) };
  } else {
    t0.ms = performance.now();
    t0.cpu = process.cpuUsage();
    const batches = [];
    const rows = await rawRead(files, (b) => (id === 'raw-rw' ? batches.push(b) : b.numRows));
    const outputBytes = id === 'raw-rw' ? await rawWrite(batches, join(work, 'raw-out')) : 0;
    result = { ms: performance.now() - t0.ms, filesIn: files.length, filesOut: id === 'raw-rw' ? 1 : 0, outputBytes, rows };
  }
  const cpu = process.cpuUsage(t0.cpu);
  rmSync(work, { recursive: true, force: true });
  return { ...result, cpuMs: (cpu.user + cpu.system) / 1000, inputBytes, maxRSS: process.resourceUsage().maxRSS * 1024 };
}

async function parent() {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  const rows = arg('rows', 2_000_000);
  const files = arg('files', 400);
  const runs = arg('runs', 3);
  const loaded = await loadDeltakit();
  if (loaded.unavailable) {
    console.log(`optimize bench: unavailable: ${loaded.unavailable}`);
    return;
  }
  if (loaded.warning) log(`warning: ${loaded.warning}`);
  await ensureSource(loaded.core, rows, files);
  const results = Object.fromEntries(VARIANTS.map((v) => [v.id, []]));
  for (let r = 0; r < runs; r++) {
    for (const v of VARIANTS) {
      const res = runChild(SELF, ['--child', v.id], { timeoutMs: 600_000 });
      if (res.error || res.unavailable) {
        results[v.id].push(res);
        log(`  ${v.id}: ${res.error ?? res.unavailable}`);
        continue;
      }
      results[v.id].push(res);
      log(`  run ${r + 1} ${v.id}: ${(res.ms / 1000).toFixed(2)} s, ${res.filesIn} → ${res.filesOut} files, peak RSS ${fmtMB(res.maxRSS)}`);
    }
  }
  console.log(`\nOPTIMIZE of ${rows.toLocaleString('en-US')} rows in ${results['deltakit-0'][0]?.filesIn ?? '?'} small files (${fmtMB(results['raw-read'][0]?.inputBytes ?? 0)} of snappy parquet) into one file; median of ${runs} runs\n`);
  const table = [['variant', 'time (median [min–max])', 'MB/s of input', 'CPU s', 'files in → out', 'output', 'peak RSS']];
  for (const v of VARIANTS) {
    const ok = results[v.id].filter((x) => !x.error && !x.unavailable);
    if (ok.length === 0) {
      table.push([v.id, results[v.id][0]?.error ?? results[v.id][0]?.unavailable ?? 'no result']);
      continue;
    }
    const ms = ok.map((x) => x.ms);
    const mbps = (ok[0].inputBytes / 2 ** 20) / (median(ms) / 1000);
    table.push([v.id, fmtTimes(ms), mbps.toFixed(1), (median(ok.map((x) => x.cpuMs)) / 1000).toFixed(2), `${ok[0].filesIn} → ${ok[0].filesOut}`, ok[0].outputBytes ? fmtMB(ok[0].outputBytes) : '-', fmtMB(Math.max(...ok.map((x) => x.maxRSS)))]);
  }
  printTable(table);
  console.log('');
  for (const v of VARIANTS) console.log(`  ${v.id}: ${v.label}`);
  const med = (id) => median(results[id].filter((x) => !x.error && !x.unavailable).map((x) => x.ms));
  const floor = med('raw-rw');
  if (Number.isFinite(floor) && Number.isFinite(med('deltakit-0'))) {
    console.log(`\ndeltakit-0 / raw-rw: ${(floor / med('deltakit-0')).toFixed(2)}× the throughput of raw parquet-wasm read+write on one core`);
    console.log(`deltakit / raw-rw:   ${(floor / med('deltakit')).toFixed(2)}× (with workers)`);
    const cpu = (id) => median(results[id].filter((x) => !x.error && !x.unavailable).map((x) => x.cpuMs));
    console.log(`CPU time, deltakit-0 / raw-rw: ${(cpu('deltakit-0') / cpu('raw-rw')).toFixed(2)}× (steadier than wall time on a loaded machine)`);
  }
  if (!process.argv.includes('--keep')) rmSync(OUT, { recursive: true, force: true });
}

if (process.argv.includes('--child')) {
  const id = process.argv[process.argv.indexOf('--child') + 1];
  const r = await child(id).catch((e) => ({ error: `${e.name}: ${e.message.split('\n')[0]}` }));
  console.log(JSON.stringify(r));
} else {
  await parent();
}
