// Scan throughput on the generated 10M-row table: raw parquet-wasm, DuckDB (1 and 2 threads) and
// deltakit (main thread, one decode worker, default workers). Each variant lives in its own
// process (so peak RSS is its own and wasm memory starts fresh) and does one untimed warm-up run;
// then the timed runs go round by round across variants, and the median per variant is reported.
//
// Usage: node bench/scan.mjs [--table DIR] [--runs 3]
import { createRequire } from 'node:module';
import { openAsBlob, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SCAN_TABLE, existingTable, generateScanTable } from './generate-scan-table.mjs';
import { fmtMB, fmtRate, fmtTimes, loadDeltakit, median, openDeltaTable, printTable, startChild, startMemorySampler } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const BATCH_SIZE = 1 << 20;
const log = (msg) => process.stderr.write(`${msg}\n`);

/** Variants in run order; `kind` picks the child implementation. */
const VARIANTS = [
  { id: 'raw', label: 'parquet-wasm raw (ParquetFile.stream + arrow-js-ffi copy)', threads: '1', kind: 'raw', verify: true },
  { id: 'deltakit-0', label: 'deltakit scan().batches(), decode on main thread', threads: '1', kind: 'deltakit', workers: 0 },
  { id: 'deltakit-1', label: 'deltakit scan().batches(), 1 decode worker', threads: '1', kind: 'deltakit', workers: 1 },
  { id: 'duckdb-1', label: 'DuckDB read_parquet aggregate', threads: '1', kind: 'duckdb', duckThreads: 1 },
  { id: 'duckdb-2', label: 'DuckDB read_parquet aggregate', threads: '2', kind: 'duckdb', duckThreads: 2 },
  { id: 'deltakit-default', label: 'deltakit scan().batches(), default workers', threads: '2', kind: 'deltakit', workers: undefined, verify: true },
  { id: 'duckdb-2-decode', label: 'DuckDB CREATE TEMP TABLE AS SELECT * (decodes every column into DuckDB memory)', threads: '2', kind: 'duckdb', duckThreads: 2, decodeAll: true },
];

/** Touches every column of an Arrow RecordBatch so lazily built children are materialised. */
function touch(batch) {
  let n = 0;
  for (let c = 0; c < batch.numCols; c++) n += batch.getChildAt(c).length;
  return n;
}

/** Returns an onBatch callback summing the `id` column, and a getter for the sum (as a string). */
function idSummer() {
  let sum = 0n;
  const onBatch = (batch) => {
    for (const data of batch.getChild('id').data) {
      const values = data.values;
      for (let i = 0; i < data.length; i++) sum += values[i];
    }
  };
  return { onBatch, sum: () => String(sum) };
}

/** arrow-js-ffi is a dependency of @deltakit/core only; load its ESM build from there. */
async function importArrowFfi() {
  const req = createRequire(fileURLToPath(new URL('../packages/delta-core/package.json', import.meta.url)));
  const cjs = req.resolve('arrow-js-ffi');
  return import(pathToFileURL(join(dirname(cjs), 'arrow-js-ffi.es.mjs')).href);
}

async function rawScan(files) {
  const pw = await import('parquet-wasm');
  const { parseRecordBatch } = await importArrowFfi();
  return async (onBatch = touch) => {
    let rows = 0;
    for (const path of files) {
      const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
      const stream = await file.stream({ batchSize: BATCH_SIZE });
      for await (const wasmBatch of stream) {
        const ffi = wasmBatch.intoFFI();
        const batch = parseRecordBatch(pw.wasmMemory().buffer, ffi.arrayAddr(), ffi.schemaAddr(), true);
        ffi.free();
        onBatch(batch);
        rows += batch.numRows;
      }
      file.free();
    }
    return { rows };
  };
}

async function duckdbScan(files, threads, decodeAll) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  const list = files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
  const sql = `SELECT count(*), sum(id), sum(value), count(category), max(ts) FROM read_parquet([${list}])`;
  if (decodeAll) {
    return async () => {
      await conn.run(`CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_parquet([${list}])`);
      const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);
      return { rows };
    };
  }
  return async () => {
    const reader = await conn.runAndReadAll(sql);
    const [count, sumId, sumValue, countCat, maxTs] = reader.getRows()[0];
    return { rows: Number(count), check: { sumId: String(sumId), sumValue: Number(sumValue), countCat: String(countCat), maxTs: String(maxTs) } };
  };
}

/**
 * One table (and engine, so decode workers stay up and warm between runs, like the wasm instance
 * of the raw variant); each run takes a fresh snapshot and scans every row.
 */
async function deltakitScan(dir, workers) {
  const loaded = await loadDeltakit();
  if (loaded.unavailable) throw Object.assign(new Error(loaded.unavailable), { unavailable: true });
  if (loaded.warning) log(`  warning: ${loaded.warning}`);
  const { table } = await openDeltaTable(loaded.core, dir, workers);
  return async (onBatch = touch) => {
    const t0 = performance.now();
    let rows = 0;
    const snap = await table.snapshot();
    const snapshotMs = performance.now() - t0;
    for await (const item of snap.scan().batches()) {
      const batch = item?.batch ?? item;
      onBatch(batch);
      rows += batch.numRows;
    }
    return { rows, snapshotMs };
  };
}

/**
 * Child side: sets up one variant, does an untimed warm-up run and reports `{ready, firstMs}`,
 * then answers `run` (one timed scan) and `finish` (memory peaks and the untimed check pass).
 */
async function child(variantId, dir) {
  const v = VARIANTS.find((x) => x.id === variantId);
  process.on('disconnect', () => process.exit(0)); // the parent is gone: do not linger
  const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
  const table = existingTable(dir);
  let fn;
  try {
    if (v.kind === 'raw') fn = await rawScan(table.files);
    else if (v.kind === 'duckdb') fn = await duckdbScan(table.files, v.duckThreads, v.decodeAll);
    else fn = await deltakitScan(dir, v.workers);
  } catch (e) {
    await send({ unavailable: e.unavailable ? e.message : `${e.name}: ${e.message}` });
    process.exit(0);
  }
  const mem = startMemorySampler();
  const timed = async (onBatch) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await fn(onBatch);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, ...result };
  };
  const guarded = async (what, body) => {
    try {
      return await body();
    } catch (e) {
      return { unavailable: `failed while ${what}: ${e.name}: ${e.message.split('\n')[0]}` };
    }
  };
  const warm = await guarded('scanning', () => timed());
  if (warm.unavailable) {
    await send(warm);
    process.exit(0);
  }
  log(`  ${v.id} warm-up run: ${(warm.ms / 1000).toFixed(2)} s`);
  await send({ ready: true, firstMs: warm.ms });
  process.on('message', async (msg) => {
    if (msg.cmd === 'run') {
      const r = await guarded('scanning', () => timed());
      if (!r.unavailable) log(`  ${v.id}: ${(r.ms / 1000).toFixed(2)} s, ${r.rows.toLocaleString('en-US')} rows`);
      await send(r);
    } else {
      const memory = mem.stop();
      const summer = idSummer();
      const check = v.verify ? await guarded('verifying', () => timed(summer.onBatch).then(() => ({ sumId: summer.sum() }))) : undefined;
      await send({ memory, check });
      process.exit(0);
    }
  });
}

/** Reads every data file once so the first measured variant does not pay for a cold page cache. */
function warmPageCache(files) {
  for (const f of files) readFileSync(f);
}

async function main(argv) {
  const opts = { dir: DEFAULT_SCAN_TABLE, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--table') opts.dir = argv[++i];
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; expected --table DIR, --runs N`);
  }
  const table = opts.dir === DEFAULT_SCAN_TABLE ? generateScanTable({ log }) : existingTable(opts.dir);
  if (!table) throw new Error(`${opts.dir} is not a table written by generate-scan-table.mjs`);
  warmPageCache(table.files);
  console.log(`\n## Scan: ${table.rows.toLocaleString('en-US')} rows in ${table.files.length} files (${opts.dir}), median of ${opts.runs}\n`);
  const results = await measureInterleaved(opts.dir, opts.runs, table.rows);
  report(table, results);
}

/**
 * Starts one process per variant (each warmed up in turn), then runs the timed scans round by
 * round (raw, DuckDB, deltakit, raw, ...), so a burst of load from other processes on the shared
 * machine spreads over all variants instead of hitting one.
 */
async function measureInterleaved(dir, runs, expectedRows) {
  const results = {};
  const procs = {};
  for (const v of VARIANTS) {
    log(`starting ${v.id}...`);
    const proc = startChild(SELF, ['--child', v.id, dir], { timeoutMs: 120_000 });
    const hello = await proc.next();
    if (hello.ready) {
      procs[v.id] = proc;
      results[v.id] = { times: [], cpuTimes: [], firstMs: hello.firstMs };
    } else {
      results[v.id] = { unavailable: hello.unavailable ?? hello.error };
    }
  }
  for (let r = 0; r < runs; r++) {
    for (const [id, proc] of Object.entries(procs)) {
      const res = await proc.request({ cmd: 'run' });
      const why = res.unavailable ?? res.error ?? (res.rows !== expectedRows ? `wrong row count ${res.rows} (expected ${expectedRows})` : undefined);
      if (why) {
        results[id] = { unavailable: why };
        proc.kill();
        delete procs[id];
        continue;
      }
      results[id].times.push(res.ms);
      results[id].cpuTimes.push(res.cpuMs);
      results[id].snapshotMs = res.snapshotMs;
      if (res.check) results[id].check = res.check;
    }
  }
  for (const [id, proc] of Object.entries(procs)) {
    const fin = await proc.request({ cmd: 'finish' });
    results[id].memory = fin.memory;
    if (fin.check && !fin.check.unavailable) results[id].check = fin.check;
  }
  return results;
}

function report(table, results) {
  const ok = (r) => r && !r.unavailable && !r.error;
  const rate = (r) => (ok(r) ? table.rows / (median(r.times) / 1000) : undefined);
  const cpuRate = (r) => (ok(r) ? table.rows / (median(r.cpuTimes) / 1000) : undefined);
  const rows = [['variant', 'threads', 'wall time (median [min–max])', 'rows/s', 'CPU time', 'rows/CPU-s', 'first run', 'peak RSS', 'notes']];
  for (const v of VARIANTS) {
    const r = results[v.id];
    const why = r.unavailable ?? r.error;
    if (why) {
      rows.push([v.id, v.threads, '-', '-', '-', '-', '-', '-', `unavailable: ${why}`]);
      continue;
    }
    let note = v.label;
    if (v.kind === 'duckdb') note += v.decodeAll ? '; no JS values' : ' (in C++, materialises no JS values)';
    if (v.kind === 'deltakit' && r.snapshotMs !== undefined) note += `; snapshot ${r.snapshotMs.toFixed(0)} ms (last run)`;
    const cpu = `${(median(r.cpuTimes) / 1000).toFixed(2)} s`;
    rows.push([v.id, v.threads, fmtTimes(r.times), fmtRate(rate(r)), cpu, fmtRate(cpuRate(r)), `${(r.firstMs / 1000).toFixed(2)} s`, fmtMB(r.memory.maxRSS), note]);
  }
  printTable(rows);
  const duck = results['duckdb-2'];
  if (duck?.check) {
    console.log(`\nDuckDB: sum(id)=${duck.check.sumId} sum(value)=${duck.check.sumValue} count(category)=${duck.check.countCat} max(ts)=${duck.check.maxTs}`);
    for (const id of ['raw', 'deltakit-default']) {
      const sumId = results[id]?.check?.sumId;
      if (sumId !== undefined) console.log(`${id}: sum(id)=${sumId} (untimed pass) ${sumId === duck.check.sumId ? 'matches DuckDB' : 'DIFFERS FROM DuckDB'}`);
    }
  }
  const ratio = (a, b, target, what, by = rate) => {
    const ra = by(results[a]);
    const rb = by(results[b]);
    const value = ra && rb ? `${(ra / rb).toFixed(2)}×` : 'n/a';
    console.log(`${what}: ${value}  (target ${target})`);
  };
  console.log('');
  const single = rate(results['deltakit-0']) ? 'deltakit-0' : 'deltakit-1';
  const target = '≥ 0.91×: Delta layer costs < 10% over raw parquet-wasm';
  ratio(single, 'raw', target, `${single} / raw parquet-wasm, one core, wall time`);
  ratio(single, 'raw', target, `${single} / raw parquet-wasm, one core, CPU time`, cpuRate);
  ratio('deltakit-default', 'duckdb-2', '≥ 0.8×', 'deltakit default workers / DuckDB 2 threads (aggregate query)');
  ratio('deltakit-default', 'duckdb-2-decode', '≥ 0.8×', 'deltakit default workers / DuckDB 2 threads (full decode)');
  console.log('\nWall times are the median of the timed runs, which go round by round across variants after one');
  console.log('untimed warm-up run per variant ("first run": wasm compilation, worker start-up, memory growth).');
  console.log('CPU time is process-wide (all threads) and is less sensitive than wall time to other load on');
  console.log('the 2 shared cores; wall times there vary by ±20–40% between runs.');
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main(process.argv.slice(2));
