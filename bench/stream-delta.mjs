// Delta to Delta streaming throughput: `readStream.format('delta')` into a Delta sink with
// Trigger.AvailableNow over a generated source table with many versions, next to a one-shot batch
// read + write of the same rows measured in the same run. Each variant runs in its own process
// (fresh sink and checkpoint every run); one untimed warm-up run, then the timed runs go round by
// round across variants and the median is reported.
//
// Usage: node bench/stream-delta.mjs [--rows 2000000] [--versions 200] [--runs 3]
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmtMB, fmtRate, fmtTimes, loadDeltakit, median, printTable, startChild, startMemorySampler } from './lib.mjs';
import { buildBatch } from './write-data.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/stream-delta', import.meta.url));
const STREAMING = fileURLToPath(new URL('../packages/streaming/dist/index.js', import.meta.url));
const log = (msg) => process.stderr.write(`${msg}\n`);

const VARIANTS = [
  { id: 'batch', label: 'snapshot().scan().batches() written by DeltaTable.write in one commit (reference)' },
  { id: 'stream-snapshot', label: "readStream.format('delta') → writeStream.format('delta'), availableNow: the initial snapshot (one batch of up to 1000 files)" },
  { id: 'stream-versions', label: 'the same from startingVersion 0 with maxFilesPerTrigger 10: one micro-batch (and sink commit) per 10 versions' },
];

function args() {
  const a = process.argv.slice(2);
  const get = (k, d) => (a.includes(k) ? Number(a[a.indexOf(k) + 1]) : d);
  return { rows: get('--rows', 2_000_000), versions: get('--versions', 200), runs: get('--runs', 3) };
}

/** The source table: `versions` appends of rows/versions rows (one file each); reused when its log has that many commits. */
async function generate(core, rows, versions) {
  const src = join(OUT, 'src');
  const logDir = join(src, '_delta_log');
  if (existsSync(logDir) && readdirSync(logDir).filter((f) => /^\d{20}\.json$/.test(f)).length === versions) return src;
  rmSync(src, { recursive: true, force: true });
  const t0 = performance.now();
  const table = core.DeltaTable.forPath(src);
  const per = Math.floor(rows / versions);
  for (let v = 0; v < versions; v++) {
    const start = v * per;
    await table.write([buildBatch(start, v === versions - 1 ? rows - start : per)], { mode: 'append' });
  }
  await table.close();
  log(`generated ${src}: ${rows.toLocaleString('en-US')} rows over ${versions} versions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return src;
}

async function child(variant, src) {
  const { core } = await loadDeltakit();
  const streaming = await import(pathToFileURL(STREAMING).href);
  // One engine (decode workers started once) for the batch variant, as the streaming session keeps its own.
  const engine = core.createDefaultEngine();
  let n = 0;
  const once = async () => {
    const dir = join(OUT, `run-${variant}-${n++}`);
    rmSync(dir, { recursive: true, force: true });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let batches = 1;
    if (variant === 'batch') {
      const snap = await core.DeltaTable.forPath(src, { engine }).snapshot();
      await core.DeltaTable.forPath(join(dir, 'sink'), { engine }).write(snap.scan().batches(), { mode: 'append' });
    } else {
      const opts = variant === 'stream-versions' ? { startingVersion: '0', maxFilesPerTrigger: '10' } : {};
      const q = await streaming.readStream.format('delta').options(opts).load(src).writeStream.format('delta').option('checkpointLocation', join(dir, 'chk')).trigger({ availableNow: true }).start(join(dir, 'sink'));
      await q.awaitTermination();
      batches = q.recentProgress.length;
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const sink = await core.DeltaTable.forPath(join(dir, 'sink'), { engine }).snapshot();
    const rows = sink.addFiles.reduce((s, a) => s + JSON.parse(a.stats).numRecords, 0);
    rmSync(dir, { recursive: true, force: true });
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, rows, batches, sinkVersion: sink.version };
  };
  const mem = startMemorySampler();
  const first = await once();
  process.send({ ready: true, first });
  process.on('message', async () => {
    const r = await once();
    process.send({ ...r, peak: mem.stop().maxRSS });
  });
}

async function main() {
  const { rows, versions, runs } = args();
  const loaded = await loadDeltakit();
  if (loaded.unavailable) {
    console.log(`stream-delta: unavailable: ${loaded.unavailable}`);
    return;
  }
  if (loaded.warning) log(`warning: ${loaded.warning}`);
  if (!existsSync(STREAMING)) {
    console.log('stream-delta: unavailable: packages/streaming/dist is missing (run `pnpm build`)');
    return;
  }
  const src = await generate(loaded.core, rows, versions);
  const results = new Map(VARIANTS.map((v) => [v.id, { times: [], cpu: [], first: undefined, last: undefined, error: undefined }]));
  // Children start one after the other, so their warm-up runs do not compete for the CPU.
  const children = [];
  for (const v of VARIANTS) {
    const c = startChild(SELF, ['--child', v.id, src], { timeoutMs: 600_000 });
    const m = await c.next();
    if (m.error) results.get(v.id).error = m.error;
    else results.get(v.id).first = m.first;
    children.push({ v, c });
  }
  for (let r = 0; r < runs; r++) {
    for (const { v, c } of children) {
      const res = results.get(v.id);
      if (res.error) continue;
      const m = await c.request({ run: r });
      if (m.error) res.error = m.error;
      else {
        res.times.push(m.ms);
        res.cpu.push(m.cpuMs);
        res.last = m;
      }
    }
  }
  for (const { c } of children) c.kill?.();
  console.log(`\nDelta → Delta: ${rows.toLocaleString('en-US')} rows in ${versions} versions (one file each), ${runs} runs`);
  const batchMs = median(results.get('batch').times);
  const table = [['variant', 'time (median [min–max])', 'rows/s', 'CPU', 'batches', 'rows in sink', 'first run', 'peak RSS', 'vs batch']];
  for (const v of VARIANTS) {
    const r = results.get(v.id);
    if (r.error) {
      table.push([v.id, `error: ${r.error}`]);
      continue;
    }
    const ms = median(r.times);
    table.push([v.id, fmtTimes(r.times), fmtRate((r.last.rows / ms) * 1000), `${(median(r.cpu) / 1000).toFixed(2)} s`, r.last.batches, r.last.rows.toLocaleString('en-US'), `${(r.first.ms / 1000).toFixed(2)} s`, fmtMB(r.last.peak), `${(batchMs / ms).toFixed(2)}x`]);
  }
  printTable(table);
  for (const v of VARIANTS) console.log(`  ${v.id}: ${v.label}`);
  for (const v of VARIANTS) {
    const r = results.get(v.id);
    if (!r.error && r.last.rows !== rows) {
      console.log(`MISMATCH: ${v.id} wrote ${r.last.rows} rows, expected ${rows}`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
