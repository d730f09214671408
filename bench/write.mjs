// Append throughput: the same 10M rows (see write-data.mjs) written as parquet by deltakit
// (`table.write`, a fresh table each run), by raw parquet-wasm (same files, no log, no Delta
// stats) and by DuckDB `COPY ... TO (FORMAT parquet)` with 1 and 2 threads. Each variant lives in
// its own process, generates its input once (untimed, reused by every run) and does one untimed
// warm-up write; then the timed writes go round by round across variants, median per variant.
//
// Usage: node bench/write.mjs [--rows 10000000] [--runs 3] [--keep]
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, fmtRate, fmtTimes, loadDeltakit, median, printTable, startChild, startMemorySampler } from './lib.mjs';
import { buildBatches, duckdbCheckSql, duckdbCreateSql, expectedCheck, SCHEMA } from './write-data.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/write', import.meta.url));
const BATCH_ROWS = 1_000_000;
const ROW_GROUP_ROWS = 1 << 20;
const log = (msg) => process.stderr.write(`${msg}\n`);

const VARIANTS = [
  { id: 'deltakit-0', label: 'table.write(async iterable of batches, {mode: append}), engine with workers: 0 (encodes on the main thread)', threads: '1', kind: 'deltakit', workers: 0 },
  { id: 'raw', label: 'parquet-wasm tableToIPC → Table.fromIPCStream → writeParquet → writeFile, same files as deltakit', threads: '1', kind: 'raw' },
  { id: 'deltakit', label: 'table.write(async iterable of batches, {mode: append}), default engine (encode workers)', threads: 'main+workers', kind: 'deltakit' },
  { id: 'duckdb-1', label: 'DuckDB COPY (SELECT * FROM t) TO (FORMAT parquet, COMPRESSION snappy)', threads: '1', kind: 'duckdb', duckThreads: 1 },
  { id: 'duckdb-2', label: 'DuckDB COPY (SELECT * FROM t) TO (FORMAT parquet, COMPRESSION snappy)', threads: '2', kind: 'duckdb', duckThreads: 2 },
];

/** Parquet files under `dir` (recursively, skipping `_delta_log`), with their total size. */
function parquetFiles(dir) {
  const files = [];
  const walk = (d) => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.name === '_delta_log') continue;
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.parquet')) files.push(p);
    }
  };
  walk(dir);
  return { files, bytes: files.reduce((n, f) => n + statSync(f).size, 0) };
}

/** Rows per data file of the table deltakit wrote (from the `add` stats of version 0). */
function deltakitFileRows(dir) {
  const text = readFileSync(join(dir, '_delta_log', '00000000000000000000.json'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.includes('"add"'))
    .map((l) => JSON.parse(JSON.parse(l).add.stats).numRecords);
}

async function* each(batches) {
  for (const b of batches) yield b;
}

async function deltakitWriter(dir, batches, workers) {
  const loaded = await loadDeltakit();
  if (loaded.unavailable) throw Object.assign(new Error(loaded.unavailable), { unavailable: true });
  if (loaded.warning) log(`  warning: ${loaded.warning}`);
  if (typeof loaded.core.DeltaTable.prototype.write !== 'function') {
    throw Object.assign(new Error('@deltakit/core has no DeltaTable.write yet'), { unavailable: true });
  }
  const table = loaded.core.DeltaTable.forPath(dir, workers === undefined ? {} : { engine: loaded.core.createDefaultEngine({ workers }) });
  return async () => {
    const res = await table.write(each(batches), { mode: 'append' });
    return { rows: res.numOutputRows, files: res.numFiles, bytes: res.numOutputBytes };
  };
}

/**
 * Writes the batches as parquet files of `fileRows` rows each (deltakit's layout), one
 * `writeParquet` call per file with the writer properties deltakit uses (snappy, 2^20-row row
 * groups, page statistics). No log, no Delta statistics.
 */
async function rawWriter(dir, batches, fileRows) {
  const pw = await import('parquet-wasm');
  const arrow = await import('apache-arrow');
  const props = () =>
    new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setMaxRowGroupSize(ROW_GROUP_ROWS)
      .setStatisticsEnabled(pw.EnabledStatistics.Page)
      .setCreatedBy('deltakit bench raw')
      .build();
  return async () => {
    mkdirSync(dir, { recursive: true });
    let b = 0;
    let offset = 0;
    let bytes = 0;
    let rows = 0;
    for (let f = 0; f < fileRows.length; f++) {
      const slices = [];
      for (let need = fileRows[f]; need > 0 && b < batches.length; ) {
        const batch = batches[b];
        const take = Math.min(need, batch.numRows - offset);
        slices.push(take === batch.numRows ? batch : batch.slice(offset, offset + take));
        need -= take;
        offset += take;
        if (offset === batch.numRows) [b, offset] = [b + 1, 0];
      }
      const table = new arrow.Table(SCHEMA, slices);
      const data = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props());
      await writeFile(join(dir, `part-${String(f).padStart(5, '0')}.snappy.parquet`), data);
      bytes += data.length;
      rows += table.numRows;
    }
    return { rows, files: fileRows.length, bytes };
  };
}

/** DuckDB generates the same rows into its own table once; each run COPYs it to one file. */
async function duckdbWriter(dir, rows, threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  await conn.run(duckdbCreateSql('t', rows));
  const file = join(dir, 'data.parquet');
  return async () => {
    mkdirSync(dir, { recursive: true });
    await conn.run(`COPY (SELECT * FROM t) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
    return { rows, files: 1, bytes: statSync(file).size };
  };
}

/**
 * Child side: builds the input (untimed), does an untimed warm-up write and reports
 * `{ready, firstMs, genMs, fileRows?}`; then answers `run` (one timed write into a fresh
 * directory) and `finish` (memory peaks).
 */
async function child(variantId, rows, fileRowsArg) {
  const v = VARIANTS.find((x) => x.id === variantId);
  process.on('disconnect', () => process.exit(0));
  const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
  const dir = join(OUT, v.id);
  let fn;
  let genMs = 0;
  try {
    if (v.kind === 'duckdb') {
      const t0 = performance.now();
      fn = await duckdbWriter(dir, rows, v.duckThreads);
      genMs = performance.now() - t0;
    } else {
      const t0 = performance.now();
      const batches = buildBatches(rows, BATCH_ROWS);
      genMs = performance.now() - t0;
      fn = v.kind === 'raw' ? await rawWriter(dir, batches, fileRowsArg.split(',').map(Number)) : await deltakitWriter(dir, batches, v.workers);
    }
  } catch (e) {
    await send({ unavailable: e.unavailable ? e.message : `${e.name}: ${e.message}` });
    process.exit(0);
  }
  const mem = startMemorySampler();
  const timed = async () => {
    rmSync(dir, { recursive: true, force: true });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await fn();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, ...result };
  };
  const guarded = async (body) => {
    try {
      return await body();
    } catch (e) {
      return { unavailable: `failed while writing: ${e.name}: ${e.message.split('\n')[0]}` };
    }
  };
  const warm = await guarded(timed);
  if (warm.unavailable) {
    await send(warm);
    process.exit(0);
  }
  log(`  ${v.id} warm-up write: ${(warm.ms / 1000).toFixed(2)} s (input generated in ${(genMs / 1000).toFixed(2)} s)`);
  const fileRows = v.kind === 'deltakit' ? deltakitFileRows(dir) : undefined;
  await send({ ready: true, firstMs: warm.ms, fileRows });
  process.on('message', async (msg) => {
    if (msg.cmd === 'run') {
      const r = await guarded(timed);
      if (!r.unavailable) log(`  ${v.id}: ${(r.ms / 1000).toFixed(2)} s, ${r.rows.toLocaleString('en-US')} rows, ${r.files} file(s)`);
      await send(r);
    } else {
      await send({ memory: mem.stop() });
      process.exit(0);
    }
  });
}

/** Checks each variant's last output with DuckDB against the values computed in JS. */
async function verify(results, rows) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const expected = expectedCheck(rows).join(' ');
  for (const v of VARIANTS) {
    const r = results[v.id];
    if (r.unavailable) continue;
    const { files } = parquetFiles(join(OUT, v.id));
    const got = (await conn.runAndReadAll(duckdbCheckSql(files))).getRows()[0].map(String).join(' ');
    r.verified = got === expected ? 'ok' : `MISMATCH: ${got} (expected ${expected})`;
  }
}

async function main(argv) {
  const opts = { rows: 10_000_000, runs: 3, keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rows') opts.rows = Number(argv[++i]);
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else if (argv[i] === '--keep') opts.keep = true;
    else throw new Error(`unknown argument ${argv[i]}; expected --rows N, --runs N, --keep`);
  }
  if (!Number.isSafeInteger(opts.rows) || opts.rows < 1) throw new Error(`--rows must be a positive integer, got ${opts.rows}`);
  console.log(`\n## Write: append ${opts.rows.toLocaleString('en-US')} rows (id long, value double, category string, ts timestamp), median of ${opts.runs}\n`);
  const results = await measureInterleaved(opts);
  await verify(results, opts.rows);
  report(results, opts.rows);
  if (!opts.keep) rmSync(OUT, { recursive: true, force: true });
}

/**
 * Starts one process per variant (deltakit first: the raw writer reuses its file layout), then
 * runs the timed writes round by round so load from elsewhere spreads over all variants.
 */
async function measureInterleaved({ rows, runs }) {
  const results = {};
  const procs = {};
  // Without a deltakit layout, raw writes files of about deltakit's first-file size (256 MiB of Arrow).
  let fileRows = [];
  for (let left = rows; left > 0; left -= 6_710_886) fileRows.push(Math.min(left, 6_710_886));
  for (const v of VARIANTS) {
    log(`starting ${v.id}...`);
    const proc = startChild(SELF, ['--child', v.id, String(rows), fileRows.join(',')], { timeoutMs: 120_000 });
    const hello = await proc.next();
    if (hello.ready) {
      procs[v.id] = proc;
      results[v.id] = { times: [], cpuTimes: [], firstMs: hello.firstMs, fileRows: hello.fileRows };
      if (hello.fileRows) fileRows = hello.fileRows;
    } else {
      results[v.id] = { unavailable: hello.unavailable ?? hello.error };
    }
  }
  for (let r = 0; r < runs; r++) {
    for (const [id, proc] of Object.entries(procs)) {
      const res = await proc.request({ cmd: 'run' });
      const why = res.unavailable ?? res.error ?? (res.rows !== rows ? `wrong row count ${res.rows} (expected ${rows})` : undefined);
      if (why) {
        results[id] = { unavailable: why };
        proc.kill();
        delete procs[id];
        continue;
      }
      Object.assign(results[id], { files: res.files, bytes: res.bytes });
      results[id].times.push(res.ms);
      results[id].cpuTimes.push(res.cpuMs);
    }
  }
  for (const [id, proc] of Object.entries(procs)) results[id].memory = (await proc.request({ cmd: 'finish' })).memory;
  return results;
}

function report(results, rows) {
  const ok = (r) => r && !r.unavailable && r.times?.length;
  const rate = (r) => (ok(r) ? rows / (median(r.times) / 1000) : undefined);
  const cpuRate = (r) => (ok(r) ? rows / (median(r.cpuTimes) / 1000) : undefined);
  const table = [['variant', 'threads', 'wall time (median [min–max])', 'rows/s', 'CPU time', 'rows/CPU-s', 'first run', 'files', 'output', 'peak RSS', 'check', 'notes']];
  for (const v of VARIANTS) {
    const r = results[v.id];
    if (!ok(r)) {
      table.push([v.id, v.threads, '-', '-', '-', '-', '-', '-', '-', '-', '-', `unavailable: ${r.unavailable ?? 'no timed run'}`]);
      continue;
    }
    const cpu = `${(median(r.cpuTimes) / 1000).toFixed(2)} s`;
    table.push([v.id, v.threads, fmtTimes(r.times), fmtRate(rate(r)), cpu, fmtRate(cpuRate(r)), `${(r.firstMs / 1000).toFixed(2)} s`, r.files, fmtMB(r.bytes), fmtMB(r.memory?.maxRSS ?? 0), r.verified ?? '-', v.label]);
  }
  printTable(table);
  for (const v of VARIANTS) {
    const layout = results[v.id].fileRows;
    if (layout) console.log(`${v.id} files: ${layout.map((n) => n.toLocaleString('en-US')).join(' + ')} rows`);
  }
  const ratio = (a, b, target, what, by = rate) => {
    const ra = by(results[a]);
    const rb = by(results[b]);
    console.log(`${what}: ${ra && rb ? `${(ra / rb).toFixed(2)}×` : 'n/a'}${target ? `  (target ${target})` : ''}`);
  };
  console.log('');
  ratio('deltakit-0', 'raw', '≥ 0.91×: the Delta layer costs < 10% over raw parquet-wasm', 'deltakit-0 / raw parquet-wasm, one core, wall time');
  ratio('deltakit-0', 'raw', '≥ 0.91×', 'deltakit-0 / raw parquet-wasm, one core, CPU time', cpuRate);
  ratio('deltakit-0', 'duckdb-1', '', 'deltakit-0 / DuckDB 1 thread, wall time');
  ratio('deltakit', 'duckdb-2', '≥ 0.8×', 'deltakit default / DuckDB 2 threads, wall time');
  const dk = results.deltakit;
  if (ok(dk)) console.log(`deltakit default: CPU time / wall time = ${(median(dk.cpuTimes) / median(dk.times)).toFixed(2)} (above 1: more than one core busy)`);
  console.log('\nPeak RSS includes the generated input (10M rows ≈ 400 MB of Arrow, or DuckDB\'s own table).');
  console.log('CPU time is process-wide (all threads); it is steadier than wall time on the shared 2 cores.');
  console.log(`Load average now: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), process.argv[5]);
else await main(process.argv.slice(2));
