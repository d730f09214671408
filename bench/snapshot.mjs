// Snapshot loading of a large table (300k live files, 100 columns, partitioned): time from
// `DeltaTable.forPath` to the list of live files, with peak memory, next to two references:
// a minimal JS log replay (readFileSync + JSON.parse, the floor for a JS reader) and DuckDB
// counting the `add` actions. Every run is a fresh process, so each load is a first load.
//
// Usage: node bench/snapshot.mjs [--table DIR] [--runs 3]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, fmtTimes, loadDeltakit, median, printTable, runChild, startMemorySampler } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const DEFAULT_TABLE = '/work/shared/fixtures/bench/300k-add-files-100-col-partitioned';
const TARGET_MS = 1000;
const log = (msg) => process.stderr.write(`${msg}\n`);

const VARIANTS = [
  { id: 'deltakit', label: 'DeltaTable.forPath → snapshot() → files()' },
  { id: 'js-floor', label: 'readFileSync + JSON.parse per line + Map replay (no schema, no validation)' },
  { id: 'duckdb', label: 'DuckDB count of add actions (2 threads)' },
];

/** Counts what `snap.files()` returned: an array, or an (async) iterable of files. */
async function countFiles(files) {
  if (Array.isArray(files)) return files.length;
  if (typeof files?.length === 'number') return files.length;
  let n = 0;
  for await (const _ of files) n++;
  return n;
}

async function deltakitLoad(dir) {
  const loaded = await loadDeltakit();
  if (loaded.unavailable) return { unavailable: loaded.unavailable };
  if (loaded.warning) log(`  warning: ${loaded.warning}`);
  const base = process.memoryUsage();
  const mem = startMemorySampler();
  const t0 = performance.now();
  const table = await loaded.core.DeltaTable.forPath(dir);
  const snap = await table.snapshot();
  const files = await snap.files();
  const ms = performance.now() - t0;
  const count = await countFiles(files);
  const memory = mem.stop();
  await table.close?.();
  return { ms, count, version: snap.version, memory, baseHeap: base.heapUsed };
}

/** The least a JS reader must do: read every commit, parse every line, replay adds and removes. */
function jsFloorLoad(dir) {
  const base = process.memoryUsage();
  const mem = startMemorySampler();
  const t0 = performance.now();
  const logDir = join(dir, '_delta_log');
  const commits = readdirSync(logDir).filter((n) => /^\d{20}\.json$/.test(n)).sort();
  const live = new Map();
  for (const name of commits) {
    for (const line of readFileSync(join(logDir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const action = JSON.parse(line);
      if (action.add) live.set(action.add.path, action.add);
      else if (action.remove) live.delete(action.remove.path);
    }
  }
  const ms = performance.now() - t0;
  return { ms, count: live.size, commits: commits.length, memory: mem.stop(), baseHeap: base.heapUsed };
}

/** DuckDB over the newest checkpoint parquet files when there are any, else over the JSON commits. */
async function duckdbLoad(dir, runs) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const logDir = join(dir, '_delta_log');
  const checkpoints = readdirSync(logDir).filter((n) => n.includes('.checkpoint') && n.endsWith('.parquet'));
  const q = (s) => `'${s.replaceAll("'", "''")}'`;
  const sql = checkpoints.length
    ? `SELECT count(*) FROM read_parquet(${q(join(logDir, '*.checkpoint*.parquet'))}) WHERE add IS NOT NULL`
    : `SELECT count(*) FROM read_json(${q(join(logDir, '*.json'))}, format='newline_delimited', columns={'add': 'STRUCT(path VARCHAR, size BIGINT)', 'remove': 'STRUCT(path VARCHAR)'}) WHERE add IS NOT NULL`;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  const mem = startMemorySampler();
  const times = [];
  let count;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    count = Number((await conn.runAndReadAll(sql)).getRows()[0][0]);
    times.push(performance.now() - t0);
  }
  return { times, count, source: checkpoints.length ? `${checkpoints.length} checkpoint parquet file(s)` : 'JSON commits (the table has no checkpoint)', memory: mem.stop() };
}

async function child(variant, dir, runs) {
  try {
    if (variant === 'deltakit') return await deltakitLoad(dir);
    if (variant === 'js-floor') return jsFloorLoad(dir);
    return await duckdbLoad(dir, runs);
  } catch (e) {
    return { unavailable: `${e.name}: ${e.message.split('\n')[0]}` };
  }
}

/** Runs a one-load-per-process variant `runs` times and merges the results. */
function runFresh(variant, dir, runs) {
  const out = { times: [], counts: [], maxRSS: 0, heapPeak: 0 };
  for (let r = 0; r < runs; r++) {
    const res = runChild(SELF, ['--child', variant, dir, '1'], { timeoutMs: 60_000 });
    if (res.unavailable || res.error) return { unavailable: res.unavailable ?? res.error };
    log(`  ${variant} run ${r + 1}: ${res.ms.toFixed(0)} ms, ${res.count.toLocaleString('en-US')} files, peak RSS ${fmtMB(res.memory.maxRSS)}`);
    out.times.push(res.ms);
    out.counts.push(res.count);
    out.maxRSS = Math.max(out.maxRSS, res.memory.maxRSS);
    out.heapPeak = Math.max(out.heapPeak, res.memory.heapUsed - res.baseHeap);
    out.extra = res.version !== undefined ? `version ${res.version}` : res.commits !== undefined ? `${res.commits} commits` : undefined;
  }
  return out;
}

async function main(argv) {
  const opts = { dir: DEFAULT_TABLE, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--table') opts.dir = argv[++i];
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; expected --table DIR, --runs N`);
  }
  console.log(`\n## Snapshot load: ${opts.dir}, median of ${opts.runs} fresh processes\n`);
  const results = {};
  for (const v of VARIANTS) {
    log(`running ${v.id}...`);
    if (v.id === 'duckdb') {
      const res = runChild(SELF, ['--child', v.id, opts.dir, String(opts.runs)], { timeoutMs: 60_000 });
      results[v.id] = res.unavailable || res.error ? { unavailable: res.unavailable ?? res.error } : { ...res, counts: [res.count], maxRSS: res.memory.maxRSS, extra: res.source };
    } else {
      results[v.id] = runFresh(v.id, opts.dir, opts.runs);
    }
  }
  const rows = [['variant', 'time (median [min–max])', 'live files', 'peak RSS', 'peak heap Δ', 'notes']];
  for (const v of VARIANTS) {
    const r = results[v.id];
    if (r.unavailable) {
      rows.push([v.id, '-', '-', '-', '-', `unavailable: ${r.unavailable}`]);
      continue;
    }
    const counts = [...new Set(r.counts)].map((c) => c.toLocaleString('en-US')).join(' / ');
    const heap = r.heapPeak ? fmtMB(r.heapPeak) : '-';
    rows.push([v.id, fmtTimes(r.times), counts, fmtMB(r.maxRSS), heap, [v.label, r.extra].filter(Boolean).join('; ')]);
  }
  printTable(rows);
  const dk = results.deltakit;
  const floor = results['js-floor'];
  console.log('');
  if (!dk.unavailable) {
    const ms = median(dk.times);
    console.log(`deltakit snapshot load: ${ms.toFixed(0)} ms (target < ${TARGET_MS} ms: ${ms < TARGET_MS ? 'met' : 'NOT met'})`);
    if (!floor.unavailable) console.log(`deltakit / JS floor time: ${(ms / median(floor.times)).toFixed(2)}×`);
    if (!floor.unavailable && dk.counts[0] !== floor.counts[0]) console.log(`WARNING: deltakit found ${dk.counts[0]} live files, the JS replay ${floor.counts[0]}`);
  }
  console.log('Peak RSS is the process high-water mark (includes Node itself, ~45 MiB); heap Δ is sampled every 10 ms, so a lower bound.');
  console.log('Note: the machine has 2 shared cores; expect ±20–40% between runs.');
}

if (process.argv[2] === '--child') console.log(JSON.stringify(await child(process.argv[3], process.argv[4], Number(process.argv[5]))));
else await main(process.argv.slice(2));
