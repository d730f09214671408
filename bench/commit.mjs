// Commit latency and concurrent commit throughput on the local file system.
//
// Sequential (one long-lived process per variant, untimed warm-up on a scratch table, then one
// fresh table per run, round by round across variants):
//   seq-write  N one-row `table.write({rows, schema}, {mode: 'append'})` calls
//   seq-tx     N bare appends: `(await table.transaction({operation: 'WRITE'})).addFiles([add]).commit()`
//              of one synthetic AddFile (no data file), timed as a whole and commit() alone
// Concurrent (fresh worker processes per run, started and warmed up before the clock starts):
//   conc-tx     P processes × 100 bare appends via transactions
//   conc-write  P processes × 25 one-row `write` calls
//
// Usage: node bench/commit.mjs [--runs 3] [--commits 200] [--procs 4]
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadDeltakit, median, printTable, startChild, startMemorySampler } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/commit', import.meta.url));
const WARMUP_COMMITS = 20;
const TARGET_P50_MS = 5;
const log = (msg) => process.stderr.write(`${msg}\n`);

const SEQ_VARIANTS = [
  { id: 'seq-write', kind: 'write', label: 'table.write({rows: [1 row], schema}, {mode: append})' },
  { id: 'seq-tx', kind: 'tx', label: '(await table.transaction()).addFiles([1 synthetic add]).commit()' },
];
const CONC_VARIANTS = [
  { id: 'conc-tx', kind: 'tx', perProcess: 100, label: 'bare appends via transactions' },
  { id: 'conc-write', kind: 'write', perProcess: 25, label: 'one-row table.write calls' },
];

/** Nearest-rank percentile of an ascending list. */
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (x) => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));

async function loadCore() {
  const loaded = await loadDeltakit();
  if (loaded.unavailable) throw Object.assign(new Error(loaded.unavailable), { unavailable: true });
  if (loaded.warning) log(`  warning: ${loaded.warning}`);
  return loaded.core;
}

/** The one-row input of the write variants, and a fresh synthetic add for the transaction variants. */
function fixtures(core) {
  const { struct, field, primitive } = core;
  const schema = struct([field('id', primitive('long')), field('value', primitive('double')), field('category', primitive('string')), field('ts', primitive('timestamp'))]);
  let n = 0;
  return {
    rows: () => ({ rows: [{ id: BigInt(n++), value: 1.5, category: 'category_001', ts: new Date() }], schema }),
    add: (prefix) => ({ path: `${prefix}-${n++}.parquet`, partitionValues: {}, size: 1000, modificationTime: Date.now(), dataChange: true }),
  };
}

/**
 * One append of kind `write` or `tx` to `table`; returns `{totalMs, commitMs?, version,
 * attempts?, checkpoint}` (checkpoint: this commit also wrote a post-commit checkpoint).
 */
async function appendOnce(kind, table, fx, prefix) {
  const t0 = performance.now();
  if (kind === 'write') {
    const res = await table.write(fx.rows(), { mode: 'append' });
    return { totalMs: performance.now() - t0, version: res.version, checkpoint: res.version % 10 === 0 };
  }
  const tx = (await table.transaction({ operation: 'WRITE', operationParameters: { mode: 'Append' } })).addFiles([fx.add(prefix)]);
  const t1 = performance.now();
  const res = await tx.commit();
  const t2 = performance.now();
  return { totalMs: t2 - t0, commitMs: t2 - t1, version: res.version, attempts: res.attempts, checkpoint: res.postCommit?.checkpointVersion !== undefined };
}

/** Creates the table at `dir` (removing what was there) with a one-row write as version 0. */
async function createTable(core, fx, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const table = core.DeltaTable.forPath(dir);
  await table.write(fx.rows(), { mode: 'append' });
  return table;
}

// ---- sequential ------------------------------------------------------------------------------

/** Long-lived child for one sequential variant: warm-up, then one fresh table per `run`. */
async function seqChild(variantId, commits) {
  const v = SEQ_VARIANTS.find((x) => x.id === variantId);
  process.on('disconnect', () => process.exit(0));
  const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
  let core;
  let fx;
  try {
    core = await loadCore();
    fx = fixtures(core);
    const warm = await createTable(core, fx, join(OUT, `${v.id}-warmup`));
    for (let i = 0; i < WARMUP_COMMITS; i++) await appendOnce(v.kind, warm, fx, 'warm');
    await warm.close();
    rmSync(join(OUT, `${v.id}-warmup`), { recursive: true, force: true });
  } catch (e) {
    await send({ unavailable: e.unavailable ? e.message : `${e.name}: ${e.message.split('\n')[0]}` });
    process.exit(0);
  }
  const mem = startMemorySampler();
  await send({ ready: true });
  const dir = join(OUT, v.id);
  process.on('message', async (msg) => {
    if (msg.cmd !== 'run') {
      await send({ memory: mem.stop() });
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
    try {
      const table = await createTable(core, fx, dir);
      const samples = [];
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < commits; i++) samples.push(await appendOnce(v.kind, table, fx, 'seq'));
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      await table.close();
      const finalVersion = samples.at(-1).version;
      await send({ samples, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ok: finalVersion === commits });
    } catch (e) {
      await send({ unavailable: `failed: ${e.name}: ${e.message.split('\n')[0]}` });
    }
  });
}

function latencyStats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.at(-1) };
}

/** Per run: percentiles of the whole append, of commit() alone, and of commits without a checkpoint. */
function seqRunStats(res) {
  const total = latencyStats(res.samples.map((s) => s.totalMs));
  const commit = res.samples[0].commitMs === undefined ? undefined : latencyStats(res.samples.map((s) => s.commitMs));
  const plain = res.samples.filter((s) => !s.checkpoint).map((s) => s.totalMs);
  const withCheckpoint = res.samples.filter((s) => s.checkpoint).map((s) => s.totalMs);
  return {
    total,
    commit,
    plainP50: plain.length ? latencyStats(plain).p50 : undefined,
    checkpointMedian: withCheckpoint.length ? median(withCheckpoint) : undefined,
    checkpoints: withCheckpoint.length,
    perSec: res.samples.length / (res.wallMs / 1000),
    cpuPerCommit: res.cpuMs / res.samples.length,
  };
}

// ---- concurrent ------------------------------------------------------------------------------

/** Worker process of a concurrent run: warm up on a scratch table, report ready, append on `go`. */
async function concWorker(kind, dir, id, count) {
  process.on('disconnect', () => process.exit(0));
  const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
  let core;
  let fx;
  let table;
  try {
    core = await loadCore();
    fx = fixtures(core);
    const scratchDir = join(OUT, `scratch-${id}`);
    const scratch = await createTable(core, fx, scratchDir);
    for (let i = 0; i < 3; i++) await appendOnce(kind, scratch, fx, 'warm');
    await scratch.close();
    rmSync(scratchDir, { recursive: true, force: true });
    table = core.DeltaTable.forPath(dir);
    await table.snapshot();
  } catch (e) {
    await send({ unavailable: e.unavailable ? e.message : `${e.name}: ${e.message.split('\n')[0]}` });
    process.exit(0);
  }
  await send({ ready: true });
  process.once('message', async () => {
    try {
      const samples = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < count; i++) samples.push(await appendOnce(kind, table, fx, `w${id}`));
      const cpu = process.cpuUsage(cpu0);
      await table.close();
      await send({ samples, cpuMs: (cpu.user + cpu.system) / 1000 });
    } catch (e) {
      await send({ unavailable: `failed: ${e.name}: ${e.message.split('\n')[0]}` });
    }
    process.exit(0);
  });
}

/**
 * Reads the log of a concurrent run: versions must be contiguous from 0 and hold `expectedAdds`
 * adds in all; counts commits whose version is more than one past their readVersion (they lost at
 * least one race before landing).
 */
function checkLog(dir, lastVersion, expectedAdds) {
  const logDir = join(dir, '_delta_log');
  const versions = readdirSync(logDir)
    .filter((n) => /^\d{20}\.json$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
  const contiguous = versions.length === lastVersion + 1 && versions.every((x, i) => x === i);
  let adds = 0;
  let lostRace = 0;
  for (const version of versions) {
    for (const line of readFileSync(join(logDir, `${String(version).padStart(20, '0')}.json`), 'utf8').split('\n')) {
      if (line.startsWith('{"add"')) adds++;
      else if (line.startsWith('{"commitInfo"')) {
        const rv = JSON.parse(line).commitInfo.readVersion;
        if (rv !== undefined && version > rv + 1) lostRace++;
      }
    }
  }
  const problem = !contiguous ? `versions not contiguous 0..${lastVersion}` : adds !== expectedAdds ? `${adds} adds in the log, expected ${expectedAdds}` : undefined;
  return { problem, lostRace };
}

/** One concurrent run: fresh table, `procs` warmed-up workers, clock from `go` to the last reply. */
async function concRun(core, fx, v, procs) {
  const dir = join(OUT, v.id);
  await (await createTable(core, fx, dir)).close();
  const workers = Array.from({ length: procs }, (_, id) => startChild(SELF, ['--worker', v.kind, dir, String(id), String(v.perProcess)], { timeoutMs: 120_000 }));
  const hellos = await Promise.all(workers.map((w) => w.next()));
  const bad = hellos.find((h) => !h.ready);
  if (bad) {
    workers.forEach((w) => w.kill());
    return { unavailable: bad.unavailable ?? bad.error };
  }
  const t0 = performance.now();
  const replies = await Promise.all(workers.map((w) => w.request({ cmd: 'go' })));
  const wallMs = performance.now() - t0;
  const failed = replies.find((r) => !r.samples);
  if (failed) return { unavailable: failed.unavailable ?? failed.error };
  const samples = replies.flatMap((r) => r.samples);
  const total = procs * v.perProcess;
  const { problem, lostRace } = checkLog(dir, total, total + 1);
  if (problem) return { unavailable: `log check failed: ${problem}` };
  const retries = v.kind === 'tx' ? samples.reduce((n, s) => n + s.attempts - 1, 0) : undefined;
  return {
    wallMs,
    perSec: total / (wallMs / 1000),
    cpuMs: replies.reduce((n, r) => n + r.cpuMs, 0),
    latency: latencyStats(samples.map((s) => s.totalMs)),
    retries,
    lostRace,
  };
}

// ---- parent ----------------------------------------------------------------------------------

async function main(argv) {
  const opts = { runs: 3, commits: 200, procs: 4 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else if (argv[i] === '--commits') opts.commits = Number(argv[++i]);
    else if (argv[i] === '--procs') opts.procs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; expected --runs N, --commits N, --procs N`);
  }
  console.log(`\n## Commit: ${opts.commits} sequential appends per run, and ${opts.procs} concurrent writer processes; median of ${opts.runs} runs\n`);
  mkdirSync(OUT, { recursive: true });
  let core;
  try {
    core = await loadCore();
  } catch (e) {
    console.log(`unavailable: ${e.message}`);
    return;
  }
  const fx = fixtures(core);
  const seq = {};
  const procs = {};
  for (const v of SEQ_VARIANTS) {
    log(`starting ${v.id}...`);
    const proc = startChild(SELF, ['--seq', v.id, String(opts.commits)], { timeoutMs: 150_000 });
    const hello = await proc.next();
    seq[v.id] = hello.ready ? { runs: [] } : { unavailable: hello.unavailable ?? hello.error };
    if (hello.ready) procs[v.id] = proc;
  }
  const conc = Object.fromEntries(CONC_VARIANTS.map((v) => [v.id, { runs: [] }]));
  for (let r = 0; r < opts.runs; r++) {
    for (const [id, proc] of Object.entries(procs)) {
      const res = await proc.request({ cmd: 'run' });
      const why = res.unavailable ?? res.error ?? (res.ok ? undefined : 'final version is not the number of commits');
      if (why) {
        seq[id] = { unavailable: why };
        proc.kill();
        delete procs[id];
        continue;
      }
      const stats = seqRunStats(res);
      log(`  ${id}: p50 ${ms(stats.total.p50)} ms, p99 ${ms(stats.total.p99)} ms, ${stats.perSec.toFixed(0)} appends/s`);
      seq[id].runs.push(stats);
    }
    for (const v of CONC_VARIANTS) {
      if (conc[v.id].unavailable) continue;
      const res = await concRun(core, fx, v, opts.procs);
      if (res.unavailable) {
        conc[v.id] = { unavailable: res.unavailable };
        continue;
      }
      log(`  ${v.id}: ${(res.wallMs / 1000).toFixed(2)} s, ${res.perSec.toFixed(0)} commits/s, ${res.lostRace} commits lost a race`);
      conc[v.id].runs.push(res);
    }
  }
  for (const [id, proc] of Object.entries(procs)) seq[id].memory = (await proc.request({ cmd: 'finish' })).memory;
  rmSync(OUT, { recursive: true, force: true });
  report(seq, conc, opts);
}

function report(seq, conc, opts) {
  const med = (runs, get) => {
    const xs = runs.map(get).filter((x) => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  console.log(`Sequential: ${opts.commits} appends per run to a fresh local table (a checkpoint every 10 versions); milliseconds, median over runs of each statistic\n`);
  const rows = [['variant', 'p50', 'p90', 'p99', 'max', 'commit() p50', 'commit() p99', 'p50 w/o checkpoint', 'checkpointing append', 'appends/s', 'CPU ms/append', 'what']];
  for (const v of SEQ_VARIANTS) {
    const r = seq[v.id];
    if (r.unavailable) {
      rows.push([v.id, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', `unavailable: ${r.unavailable}`]);
      continue;
    }
    const m = (get) => ms(med(r.runs, get));
    rows.push([v.id, m((s) => s.total.p50), m((s) => s.total.p90), m((s) => s.total.p99), m((s) => s.total.max), m((s) => s.commit?.p50), m((s) => s.commit?.p99), m((s) => s.plainP50), m((s) => s.checkpointMedian), med(r.runs, (s) => s.perSec).toFixed(0), m((s) => s.cpuPerCommit), v.label]);
  }
  printTable(rows);
  const p50 = med(seq['seq-tx']?.runs ?? [], (s) => s.total.p50);
  const p50w = med(seq['seq-write']?.runs ?? [], (s) => s.total.p50);
  console.log(`\nbare append p50: ${ms(p50)} ms, one-row write p50: ${ms(p50w)} ms  (target p50 < ${TARGET_P50_MS} ms)`);

  console.log(`\nConcurrent: ${opts.procs} processes appending to one table at once; wall time from "go" (workers started and warmed up) to the last commit\n`);
  const crows = [['variant', 'commits', 'wall time (median)', 'commits/s', 'latency p50', 'latency p99', 'retries', 'commits that lost a race', 'CPU s (all workers)', 'what']];
  for (const v of CONC_VARIANTS) {
    const r = conc[v.id];
    const total = opts.procs * v.perProcess;
    if (r.unavailable || !r.runs.length) {
      crows.push([v.id, total, '-', '-', '-', '-', '-', '-', '-', `unavailable: ${r.unavailable ?? 'no run'}`]);
      continue;
    }
    const m = (get) => med(r.runs, get);
    const retries = v.kind === 'tx' ? m((s) => s.retries).toFixed(0) : 'n/a (write() hides attempts)';
    crows.push([v.id, total, `${(m((s) => s.wallMs) / 1000).toFixed(2)} s`, m((s) => s.perSec).toFixed(0), `${ms(m((s) => s.latency.p50))} ms`, `${ms(m((s) => s.latency.p99))} ms`, retries, m((s) => s.lostRace).toFixed(0), (m((s) => s.cpuMs) / 1000).toFixed(2), `${opts.procs} × ${v.perProcess} ${v.label}`]);
  }
  printTable(crows);
  console.log('\n"commits that lost a race": commitInfo.version > readVersion + 1 in the log (the commit was retried at least once).');
  console.log('Latency covers the whole append: snapshot load, (for write) encoding and storing the data file, commit, post-commit checkpoint.');
  console.log(`Load average now: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

if (process.argv[2] === '--seq') await seqChild(process.argv[3], Number(process.argv[4]));
else if (process.argv[2] === '--worker') await concWorker(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
else await main(process.argv.slice(2));
