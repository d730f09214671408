// Snapshot loading of a large table (300k live files, 100 columns, partitioned): time from
// `DeltaTable.forPath` to the list of live files, with peak memory, next to two references:
// a minimal JS log replay (readFileSync + JSON.parse, the floor for a JS reader) and DuckDB
// counting the `add` actions. Every run is a fresh process, so each load is a first load.
// The checkpoint variants load a copy of the table's log (bench/out/snapshot-checkpoint/, no data
// files: loading never opens them) with a checkpoint written by deltakit at its latest version.
//
// Usage: node bench/snapshot.mjs [--table DIR] [--runs 3] [--only json|checkpoint]
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, fmtTimes, loadDeltakit, median, printTable, runChild, startMemorySampler } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const DEFAULT_TABLE = '/work/shared/fixtures/bench/300k-add-files-100-col-partitioned';
const CHECKPOINT_COPY = fileURLToPath(new URL('./out/snapshot-checkpoint', import.meta.url));
const TARGET_MS = { json: 500, checkpoint: 300 };
const log = (msg) => process.stderr.write(`${msg}\n`);

const VARIANTS = [
  { id: 'deltakit', source: 'json', label: 'DeltaTable.forPath → snapshot() → files(), JSON commits' },
  { id: 'js-floor', source: 'json', label: 'readFileSync + JSON.parse per line + Map replay (no schema, no validation)' },
  { id: 'duckdb', source: 'json', label: 'DuckDB count of add actions in the JSON commits (2 threads)' },
  { id: 'deltakit-checkpoint', source: 'checkpoint', label: 'DeltaTable.forPath → snapshot() → files(), from the checkpoint' },
  { id: 'duckdb-checkpoint', source: 'checkpoint', label: 'DuckDB count of add actions in the checkpoint parquet (2 threads)' },
];

/**
 * A copy of `dir`'s commits with a deltakit checkpoint at the latest version, reused while it
 * matches (same commits, checkpoint present). Data files are not copied: loading never opens them.
 */
function checkpointCopy(dir) {
  const src = join(dir, '_delta_log');
  const dst = join(CHECKPOINT_COPY, dir.split('/').filter(Boolean).at(-1));
  const commits = readdirSync(src).filter((n) => /^\d{20}\.json$/.test(n)).sort();
  const cpName = `${commits.at(-1).slice(0, 20)}.checkpoint.parquet`;
  const have = existsSync(join(dst, '_delta_log')) ? readdirSync(join(dst, '_delta_log')) : [];
  if (commits.every((c) => have.includes(c)) && have.includes(cpName) && have.filter((n) => n.endsWith('.json')).length === commits.length) return dst;
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(join(dst, '_delta_log'), { recursive: true });
  for (const c of commits) copyFileSync(join(src, c), join(dst, '_delta_log', c));
  log(`writing a checkpoint of ${dst} with deltakit (untimed)...`);
  const res = runChild(SELF, ['--write-checkpoint', dst], { timeoutMs: 300_000 });
  if (res.error || res.unavailable) throw new Error(`cannot write the checkpoint: ${res.error ?? res.unavailable}`);
  return dst;
}

async function writeCheckpointChild(dir) {
  const loaded = await loadDeltakit();
  if (loaded.unavailable) return { unavailable: loaded.unavailable };
  const table = await loaded.core.DeltaTable.forPath(dir);
  const t0 = performance.now();
  const { version } = await table.checkpoint();
  const ms = performance.now() - t0;
  await table.close?.();
  return { version, ms };
}

/** Process CPU time (all threads, user + system) since `c0`, in ms. */
function cpuSince(c0) {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

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
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const table = await loaded.core.DeltaTable.forPath(dir);
  const snap = await table.snapshot();
  const files = await snap.files();
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  const count = await countFiles(files);
  const memory = mem.stop();
  await table.close?.();
  return { ms, cpuMs, count, version: snap.version, memory, baseHeap: base.heapUsed };
}

/** The least a JS reader must do: read every commit, parse every line, replay adds and removes. */
function jsFloorLoad(dir) {
  const base = process.memoryUsage();
  const mem = startMemorySampler();
  const c0 = process.cpuUsage();
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
  return { ms, cpuMs: cpuSince(c0), count: live.size, commits: commits.length, memory: mem.stop(), baseHeap: base.heapUsed };
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
    if (variant.startsWith('deltakit')) return await deltakitLoad(dir);
    if (variant === 'js-floor') return jsFloorLoad(dir);
    return await duckdbLoad(dir, runs);
  } catch (e) {
    return { unavailable: `${e.name}: ${e.message.split('\n')[0]}` };
  }
}

/** Runs a one-load-per-process variant `runs` times and merges the results. */
function runFresh(variant, dir, runs) {
  const out = { times: [], cpu: [], counts: [], maxRSS: 0, heapPeak: 0 };
  for (let r = 0; r < runs; r++) {
    const res = runChild(SELF, ['--child', variant, dir, '1'], { timeoutMs: 60_000 });
    if (res.unavailable || res.error) return { unavailable: res.unavailable ?? res.error };
    log(`  ${variant} run ${r + 1}: ${res.ms.toFixed(0)} ms (CPU ${res.cpuMs.toFixed(0)} ms), ${res.count.toLocaleString('en-US')} files, peak RSS ${fmtMB(res.memory.maxRSS)}`);
    out.times.push(res.ms);
    out.cpu.push(res.cpuMs);
    out.counts.push(res.count);
    out.maxRSS = Math.max(out.maxRSS, res.memory.maxRSS);
    out.heapPeak = Math.max(out.heapPeak, res.memory.heapUsed - res.baseHeap);
    out.extra = res.version !== undefined ? `version ${res.version}` : res.commits !== undefined ? `${res.commits} commits` : undefined;
  }
  return out;
}

async function main(argv) {
  const opts = { dir: DEFAULT_TABLE, runs: 3, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--table') opts.dir = argv[++i];
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else if (argv[i] === '--only') opts.only = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; expected --table DIR, --runs N, --only json|checkpoint`);
  }
  const variants = VARIANTS.filter((v) => opts.only === undefined || v.source === opts.only);
  const dirs = { json: opts.dir };
  if (variants.some((v) => v.source === 'checkpoint')) dirs.checkpoint = checkpointCopy(opts.dir);
  console.log(`\n## Snapshot load: ${opts.dir}, median of ${opts.runs} fresh processes\n`);
  if (dirs.checkpoint) console.log(`Checkpoint variants: ${dirs.checkpoint} (the commits and a deltakit checkpoint at the latest version)\n`);
  const results = {};
  for (const v of variants) {
    log(`running ${v.id}...`);
    const dir = dirs[v.source];
    if (v.id.startsWith('duckdb')) {
      const res = runChild(SELF, ['--child', v.id, dir, String(opts.runs)], { timeoutMs: 60_000 });
      results[v.id] = res.unavailable || res.error ? { unavailable: res.unavailable ?? res.error } : { ...res, counts: [res.count], maxRSS: res.memory.maxRSS, extra: res.source };
    } else {
      results[v.id] = runFresh(v.id, dir, opts.runs);
    }
  }
  const rows = [['variant', 'time (median [min–max])', 'CPU (median)', 'live files', 'peak RSS', 'peak heap Δ', 'notes']];
  for (const v of variants) {
    const r = results[v.id];
    if (r.unavailable) {
      rows.push([v.id, '-', '-', '-', '-', '-', `unavailable: ${r.unavailable}`]);
      continue;
    }
    const counts = [...new Set(r.counts)].map((c) => c.toLocaleString('en-US')).join(' / ');
    const heap = r.heapPeak ? fmtMB(r.heapPeak) : '-';
    const cpu = r.cpu?.length ? `${(median(r.cpu) / 1000).toFixed(2)} s` : '-';
    rows.push([v.id, fmtTimes(r.times), cpu, counts, fmtMB(r.maxRSS), heap, [v.label, r.extra].filter(Boolean).join('; ')]);
  }
  printTable(rows);
  const floor = results['js-floor'];
  console.log('');
  for (const [id, source] of [['deltakit', 'json'], ['deltakit-checkpoint', 'checkpoint']]) {
    const dk = results[id];
    if (dk === undefined || dk.unavailable) continue;
    const ms = median(dk.times);
    console.log(`${id} snapshot load: ${ms.toFixed(0)} ms (target < ${TARGET_MS[source]} ms: ${ms < TARGET_MS[source] ? 'met' : 'NOT met'})`);
    if (floor === undefined || floor.unavailable) continue;
    console.log(`${id} / JS floor: ${(ms / median(floor.times)).toFixed(2)}× wall, ${(median(dk.cpu) / median(floor.cpu)).toFixed(2)}× CPU`);
    if (dk.counts[0] !== floor.counts[0]) console.log(`WARNING: ${id} found ${dk.counts[0]} live files, the JS replay ${floor.counts[0]}`);
  }
  console.log('CPU is process-wide (main thread, GC threads and decode workers), steadier than wall time on a loaded machine.');
  console.log('Peak RSS is the process high-water mark (includes Node itself, ~45 MiB); heap Δ is sampled every 10 ms, so a lower bound.');
  console.log('Note: the machine has 2 shared cores; expect ±20–40% between runs.');
}

if (process.argv[2] === '--write-checkpoint') console.log(JSON.stringify(await writeCheckpointChild(process.argv[3])));
else if (process.argv[2] === '--child') console.log(JSON.stringify(await child(process.argv[3], process.argv[4], Number(process.argv[5]))));
else await main(process.argv.slice(2));
