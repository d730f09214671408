// VACUUM on a table with 100,000 files in 100 partition directories: full (lists the directory)
// and lite (reads the log), as dry runs (finding what to delete) and as real runs (also deleting
// and committing), next to two references measured in the same run: listing the directory alone
// (the listing VACUUM does: recursive, not following links) and loading the snapshot alone.
//
// The table is built quickly and is not realistic data: the files are 16-byte stubs written
// through the engine's store, and the log is written by hand through the store: v0 creates the
// table, v1 adds every file, v2..v11 remove `--removed` of them in ten commits, and a checkpoint
// is written at v11. The clock given to VACUUM runs 30 days ahead, so every removed file's
// tombstone has expired. Lite reads commits 0..11 (no VACUUM ran before).
//
// Usage: node bench/vacuum.mjs [--files 100000] [--removed 10000] [--runs 3]
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, fmtTimes, loadDeltakit, median, printTable, runChild, startMemorySampler } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/vacuum', import.meta.url));
const BASE = join(OUT, 'base');
const PARTITIONS = 100;
const DAY = 86_400_000;
const log = (msg) => process.stderr.write(`${msg}\n`);

const VARIANTS = [
  { id: 'list', label: 'reference: the store\'s recursive physical listing of the table directory' },
  { id: 'snapshot', label: 'reference: DeltaTable.forPath → snapshot() → addFiles' },
  { id: 'full-dry', label: 'vacuum({dryRun: true}): snapshot + listing + what to delete' },
  { id: 'lite-dry', label: "vacuum({dryRun: true, mode: 'lite'}): snapshot + commits since the last VACUUM + existence checks" },
  { id: 'full', label: 'vacuum(): the dry run, then VACUUM START, the deletions, VACUUM END (fresh copy)' },
  { id: 'lite', label: "vacuum({mode: 'lite'}): the same, from the log (fresh copy)" },
];

const filePath = (i) => `p=${String(i % PARTITIONS).padStart(3, '0')}/part-${String(i).padStart(6, '0')}.parquet`;

/** Writes the base table unless one with these arguments exists. */
async function build(core, files, removed) {
  const marker = join(OUT, 'base.json');
  const want = JSON.stringify({ files, removed, checkpoint: 11 });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  rmSync(OUT, { recursive: true, force: true });
  const t0 = performance.now();
  const table = core.DeltaTable.forPath(BASE);
  const store = table.engine.store;
  const schema = core.struct([core.field('id', core.primitive('long')), core.field('p', core.primitive('string'))]);
  await table.create({ schema, partitionBy: ['p'] });
  const stub = new Uint8Array(16);
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < files) await store.put(join(BASE, filePath(next++)), stub);
    }),
  );
  const now = Date.now();
  const add = (i) => ({ add: { path: filePath(i), partitionValues: { p: filePath(i).slice(2, 5) }, size: 16, modificationTime: now, dataChange: true, stats: '{"numRecords":1}' } });
  const commit = async (version, actions) => {
    const info = { commitInfo: { timestamp: Date.now(), operation: 'WRITE', engineInfo: 'bench/vacuum.mjs' } };
    const text = [info, ...actions].map((a) => JSON.stringify(a)).join('\n') + '\n';
    const r = await store.putIfAbsent(join(BASE, '_delta_log', `${String(version).padStart(20, '0')}.json`), new TextEncoder().encode(text));
    if (!r.created) throw new Error(`commit ${version} exists`);
  };
  await commit(1, Array.from({ length: files }, (_, i) => add(i)));
  const per = Math.ceil(removed / 10);
  for (let c = 0; c < 10; c++) {
    const rm = [];
    for (let k = c * per; k < Math.min(removed, (c + 1) * per); k++) {
      const i = k * Math.floor(files / removed); // spread over every partition
      rm.push({ remove: { path: filePath(i), deletionTimestamp: Date.now(), dataChange: true, partitionValues: { p: filePath(i).slice(2, 5) }, size: 16 } });
    }
    await commit(2 + c, rm);
  }
  await table.checkpoint(); // as a table with this history would have (every 10 commits)
  await table.close();
  writeFileSync(marker, want);
  log(`built ${files.toLocaleString('en-US')} files (${removed.toLocaleString('en-US')} removed) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function child(variant, dir) {
  const loaded = await loadDeltakit();
  if (loaded.unavailable) return { unavailable: loaded.unavailable };
  const core = loaded.core;
  if (typeof core.DeltaTable.prototype.vacuum !== 'function' && variant !== 'list' && variant !== 'snapshot') return { unavailable: 'DeltaTable has no vacuum() yet' };
  const engine = { ...core.createDefaultEngine({ workers: 0 }), clock: { nowMs: () => Date.now() + 30 * DAY } };
  const table = core.DeltaTable.forPath(dir, { engine });
  const mem = startMemorySampler();
  const t0 = performance.now();
  let count;
  if (variant === 'list') {
    count = 0;
    for await (const _ of engine.store.list(dir, { recursive: true, physical: true })) count++;
  } else if (variant === 'snapshot') {
    count = (await table.snapshot()).addFiles.length;
  } else {
    const r = await table.vacuum({ dryRun: variant.endsWith('-dry'), mode: variant.startsWith('lite') ? 'lite' : 'full' });
    count = variant.endsWith('-dry') ? r.numFilesToDelete : r.numDeletedFiles;
  }
  const ms = performance.now() - t0;
  const memory = mem.stop();
  await table.close();
  return { ms, count, memory };
}

function runVariant(id, runs) {
  const out = { times: [], counts: [], maxRSS: 0 };
  for (let r = 0; r < runs; r++) {
    let dir = BASE;
    if (id === 'full' || id === 'lite') {
      dir = join(OUT, `copy-${id}`);
      rmSync(dir, { recursive: true, force: true });
      cpSync(BASE, dir, { recursive: true });
    }
    const res = runChild(SELF, ['--child', id, dir], { timeoutMs: 300_000 });
    if (res.unavailable || res.error) return { unavailable: res.unavailable ?? res.error };
    log(`  ${id} run ${r + 1}: ${res.ms.toFixed(0)} ms, ${res.count.toLocaleString('en-US')}, peak RSS ${fmtMB(res.memory.maxRSS)}`);
    out.times.push(res.ms);
    out.counts.push(res.count);
    out.maxRSS = Math.max(out.maxRSS, res.memory.maxRSS);
  }
  return out;
}

async function main(argv) {
  const opts = { files: 100_000, removed: 10_000, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--files') opts.files = Number(argv[++i]);
    else if (argv[i] === '--removed') opts.removed = Number(argv[++i]);
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; expected --files N, --removed N, --runs N`);
  }
  const loaded = await loadDeltakit();
  if (loaded.unavailable) {
    console.log(`\n## VACUUM: unavailable: ${loaded.unavailable}`);
    return;
  }
  if (loaded.warning) log(`warning: ${loaded.warning}`);
  await build(loaded.core, opts.files, opts.removed);
  console.log(`\n## VACUUM of a table with ${opts.files.toLocaleString('en-US')} files in ${PARTITIONS} partitions, ${opts.removed.toLocaleString('en-US')} of them removed (expired), median of ${opts.runs} fresh processes\n`);
  const results = {};
  for (const v of VARIANTS) {
    log(`running ${v.id}...`);
    results[v.id] = runVariant(v.id, opts.runs);
  }
  const rows = [['variant', 'time (median [min–max])', 'count', 'peak RSS', 'what']];
  for (const v of VARIANTS) {
    const r = results[v.id];
    if (r.unavailable) rows.push([v.id, '-', '-', '-', `unavailable: ${r.unavailable}`]);
    else rows.push([v.id, fmtTimes(r.times), [...new Set(r.counts)].map((c) => c.toLocaleString('en-US')).join(' / '), fmtMB(r.maxRSS), v.label]);
  }
  printTable(rows);
  const m = (id) => (results[id].unavailable ? undefined : median(results[id].times));
  const ref = m('list') !== undefined && m('snapshot') !== undefined ? m('list') + m('snapshot') : undefined;
  console.log('');
  if (ref !== undefined && m('full-dry') !== undefined) console.log(`full dry run / (listing + snapshot): ${(m('full-dry') / ref).toFixed(2)}×`);
  if (m('snapshot') !== undefined && m('lite-dry') !== undefined) console.log(`lite dry run / snapshot: ${(m('lite-dry') / m('snapshot')).toFixed(2)}×`);
  if (m('full') !== undefined && m('lite') !== undefined) console.log(`real runs: full ${(m('full') / 1000).toFixed(2)} s, lite ${(m('lite') / 1000).toFixed(2)} s (count = files deleted)`);
  console.log('Note: the machine has 2 shared cores; expect ±20–40% between runs.');
}

if (process.argv[2] === '--child') console.log(JSON.stringify(await child(process.argv[3], process.argv[4])));
else await main(process.argv.slice(2));
