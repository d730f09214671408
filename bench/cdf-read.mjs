// Change-feed read throughput: `tableChanges` over a generated table (2M rows appended over 8
// versions, then a commit deleting half of the files), next to a plain `snapshot().scan()` of the
// same files measured in the same run. Each variant lives in its own process (so its peak RSS is
// its own) and does one untimed warm-up read; the timed runs go round by round across variants,
// and the median per variant is reported.
//
// Usage: node bench/cdf-read.mjs [--rows 2000000] [--versions 8] [--runs 3]
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, fmtRate, fmtTimes, loadDeltakit, median, printTable, startChild, startMemorySampler } from './lib.mjs';
import { buildBatches } from './write-data.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/cdf-table', import.meta.url));
const log = (msg) => process.stderr.write(`${msg}\n`);

/** Variants in run order. `versions` is filled in from the table: N appends, then a delete at N + 1. */
const VARIANTS = [
  { id: 'scan', label: 'snapshot({version: N}).scan().batches(): the N appended files, a plain read (reference)' },
  { id: 'cdf', label: 'tableChanges({startingVersion: 1, endingVersion: N}): the same files as insert rows' },
  { id: 'cdf+deletes', label: 'tableChanges({startingVersion: 1}): also the last commit, whose removes re-read half the files as delete rows' },
];

/** Touches every column of a batch so lazily built children are materialised; sums `id`. */
function consume(batch, acc) {
  let touched = 0;
  for (let c = 0; c < batch.numCols; c++) touched += batch.getChildAt(c).length;
  acc.touched += touched;
  const ids = batch.getChild('id').data[0];
  const values = ids.values;
  let sum = 0n;
  for (let i = 0; i < ids.length; i++) sum += values[i];
  acc.rows += batch.numRows;
  acc.sumId += sum;
}

/** True when `dir` holds the table `generate` writes for these arguments (its log says so). */
function reusable(dir, rows, versions) {
  const logDir = join(dir, '_delta_log');
  if (!existsSync(logDir)) return false;
  const commits = readdirSync(logDir).filter((f) => /^\d{20}\.json$/.test(f)).sort();
  if (commits.length !== versions + 2) return false;
  let appended = 0;
  for (const f of commits.slice(1, versions + 1)) {
    for (const line of readFileSync(join(logDir, f), 'utf8').split('\n')) {
      if (line.startsWith('{"add"')) appended += JSON.parse(JSON.parse(line).add.stats).numRecords;
    }
  }
  return appended === rows && readFileSync(join(logDir, commits.at(-1)), 'utf8').includes('"remove"');
}

/** Writes the table: create (v0), `versions` appends of rows/versions rows, then a DELETE of every other file. */
async function generate(core, rows, versions) {
  if (reusable(OUT, rows, versions)) return;
  rmSync(OUT, { recursive: true, force: true });
  const t0 = performance.now();
  const table = core.DeltaTable.forPath(OUT);
  const { SCHEMA } = await import('./write-data.mjs');
  await table.create({ schema: SCHEMA, properties: { 'delta.enableChangeDataFeed': 'true' } });
  const per = Math.floor(rows / versions);
  for (let v = 0; v < versions; v++) {
    const start = v * per;
    const n = v === versions - 1 ? rows - start : per;
    const batches = buildBatches(n, 1 << 20).map((b) => shift(b, start));
    await table.write(batches, { mode: 'append' });
  }
  const snap = await table.snapshot();
  const tx = await table.transaction({ operation: 'DELETE' });
  const doomed = [...snap.addFiles].sort((a, b) => a.path.localeCompare(b.path)).filter((_, i) => i % 2 === 0);
  tx.readWholeTable().removeFiles(doomed.map((a) => ({ path: a.path, dataChange: true, deletionTimestamp: Date.now(), extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size })));
  await tx.commit();
  await table.close();
  log(`generated ${OUT}: ${rows.toLocaleString('en-US')} rows over ${versions} appends + a delete of ${doomed.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** A batch of rows [0, n) renumbered to start at `start` (ids only; other columns repeat). */
function shift(batch, start) {
  const ids = batch.getChild('id').data[0].values;
  for (let i = 0; i < ids.length; i++) ids[i] += BigInt(start);
  return batch;
}

/** Child side: one variant, a warm-up run, then `run` and `finish` on request. */
async function child(variantId, dir, versions) {
  process.on('disconnect', () => process.exit(0));
  const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
  const loaded = await loadDeltakit();
  if (loaded.unavailable) {
    await send({ unavailable: loaded.unavailable });
    process.exit(0);
  }
  let cdf;
  try {
    cdf = await import('@deltakit/cdf');
  } catch (e) {
    await send({ unavailable: `cannot import @deltakit/cdf (${e.message.split('\n')[0]}); run \`pnpm build\`` });
    process.exit(0);
  }
  const table = loaded.core.DeltaTable.forPath(dir);
  const read = async () => {
    const acc = { rows: 0, sumId: 0n, touched: 0 };
    let source;
    if (variantId === 'scan') source = (await table.snapshot({ version: versions })).scan().batches();
    else source = cdf.tableChanges(table, { startingVersion: 1, ...(variantId === 'cdf' ? { endingVersion: versions } : {}) });
    for await (const batch of source) consume(batch, acc);
    return acc;
  };
  const mem = startMemorySampler();
  const timed = async () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const acc = await read();
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, rows: acc.rows, sumId: String(acc.sumId) };
  };
  const warm = await timed().catch((e) => ({ unavailable: `${e.name}: ${e.message.split('\n')[0]}` }));
  if (warm.unavailable) {
    await send(warm);
    process.exit(0);
  }
  log(`  ${variantId} warm-up run: ${(warm.ms / 1000).toFixed(2)} s`);
  await send({ ready: true, firstMs: warm.ms });
  process.on('message', async (msg) => {
    if (msg.cmd === 'run') {
      const r = await timed().catch((e) => ({ unavailable: `${e.name}: ${e.message.split('\n')[0]}` }));
      if (!r.unavailable) log(`  ${variantId}: ${(r.ms / 1000).toFixed(2)} s, ${r.rows.toLocaleString('en-US')} rows`);
      await send(r);
    } else {
      await send({ memory: mem.stop() });
      await table.close();
      process.exit(0);
    }
  });
}

async function main(argv) {
  const opts = { rows: 2_000_000, versions: 8, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rows') opts.rows = Number(argv[++i]);
    else if (argv[i] === '--versions') opts.versions = Number(argv[++i]);
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; expected --rows N, --versions N, --runs N`);
  }
  const loaded = await loadDeltakit();
  if (loaded.unavailable) {
    console.log(`\n## Change data feed read: unavailable (${loaded.unavailable})`);
    return;
  }
  if (loaded.warning) log(`warning: ${loaded.warning}`);
  await generate(loaded.core, opts.rows, opts.versions);
  console.log(`\n## Change data feed read: ${opts.rows.toLocaleString('en-US')} rows appended over ${opts.versions} versions, then half the files deleted (${OUT}), median of ${opts.runs}\n`);
  const results = {};
  const procs = {};
  for (const v of VARIANTS) {
    log(`starting ${v.id}...`);
    const proc = startChild(SELF, ['--child', v.id, OUT, String(opts.versions)], { timeoutMs: 300_000 });
    const hello = await proc.next();
    if (hello.ready) {
      procs[v.id] = proc;
      results[v.id] = { times: [], cpuTimes: [], firstMs: hello.firstMs };
    } else results[v.id] = { unavailable: hello.unavailable ?? hello.error };
  }
  for (let r = 0; r < opts.runs; r++) {
    for (const [id, proc] of Object.entries(procs)) {
      const res = await proc.request({ cmd: 'run' });
      if (res.unavailable || res.error) {
        results[id] = { unavailable: res.unavailable ?? res.error };
        proc.kill();
        delete procs[id];
        continue;
      }
      Object.assign(results[id], { rows: res.rows, sumId: res.sumId });
      results[id].times.push(res.ms);
      results[id].cpuTimes.push(res.cpuMs);
    }
  }
  for (const [id, proc] of Object.entries(procs)) results[id].memory = (await proc.request({ cmd: 'finish' })).memory;
  report(results);
}

function report(results) {
  const ok = (r) => r && !r.unavailable;
  const rate = (r) => (ok(r) ? r.rows / (median(r.times) / 1000) : undefined);
  const rows = [['variant', 'rows', 'wall time (median [min–max])', 'rows/s', 'CPU time', 'first run', 'peak RSS', 'what it reads']];
  for (const v of VARIANTS) {
    const r = results[v.id];
    if (!ok(r)) {
      rows.push([v.id, '-', '-', '-', '-', '-', '-', `unavailable: ${r.unavailable}`]);
      continue;
    }
    rows.push([v.id, r.rows.toLocaleString('en-US'), fmtTimes(r.times), fmtRate(rate(r)), `${(median(r.cpuTimes) / 1000).toFixed(2)} s`, `${(r.firstMs / 1000).toFixed(2)} s`, fmtMB(r.memory.maxRSS), v.label]);
  }
  printTable(rows);
  const scan = results.scan;
  const cdf = results.cdf;
  if (ok(scan) && ok(cdf)) {
    console.log(`\ncdf / scan of the same files: ${(rate(cdf) / rate(scan)).toFixed(2)}× rows/s  (sum(id): scan ${scan.sumId}, cdf ${cdf.sumId} — ${scan.sumId === cdf.sumId && scan.rows === cdf.rows ? 'same rows' : 'ROWS DIFFER'})`);
  }
  const cpuRate = (r) => r.rows / (median(r.cpuTimes) / 1000);
  if (ok(scan) && ok(cdf)) console.log(`cdf / scan, rows per CPU-second (steadier on a loaded machine): ${(cpuRate(cdf) / cpuRate(scan)).toFixed(2)}×`);
  if (ok(results['cdf+deletes']) && ok(scan)) console.log(`cdf+deletes / scan: ${(rate(results['cdf+deletes']) / rate(scan)).toFixed(2)}× rows/s, ${(cpuRate(results['cdf+deletes']) / cpuRate(scan)).toFixed(2)}× rows per CPU-second`);
  console.log('\nEach variant runs in its own process with the default engine (two decode workers). Wall times on');
  console.log('the shared 2-core machine vary by ±20–40% between runs; compare ratios from the same run.');
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]));
else await main(process.argv.slice(2));
