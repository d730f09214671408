// State store commit time per batch with 1M keys, for each provider (memory, lmdb), each in a
// fresh child process so RSS is its own.
//
// Workload per provider (an aggregation's state: key `user string, start long`, value
// `count long, sum double`): `--keys` keys inserted in batches of `--batch` (one commit per batch),
// then `--updates` batches that read and rewrite `--batch` random existing keys (get + put, as a
// streaming aggregation does), then a restart that loads the latest version from the checkpoint
// (snapshot + deltas). Reports the update and commit time per batch, the background snapshot,
// the reload, numKeys, memoryUsedBytes, and RSS/heap after each phase.
//
//   node bench/state-store.mjs [--keys 1000000] [--batch 100000] [--updates 5] [--only memory|lmdb]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, printTable, runChild } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? def : argv[i + 1];
};
const KEYS = Number(arg('keys', 1_000_000));
const BATCH = Number(arg('batch', 100_000));
const UPDATES = Number(arg('updates', 5));

if (arg('child', undefined) !== undefined) await child(arg('child'));
else await parent();

async function parent() {
  const only = arg('only', undefined);
  const kinds = only ? [only] : ['memory', 'lmdb'];
  console.log(`State store: ${KEYS.toLocaleString()} keys, batches of ${BATCH.toLocaleString()}, ${UPDATES} update batches\n`);
  const results = [];
  for (const kind of kinds) {
    const r = runChild(SELF, ['--child', kind, '--keys', String(KEYS), '--batch', String(BATCH), '--updates', String(UPDATES)], { timeoutMs: 900_000, nodeArgs: ['--expose-gc'] });
    results.push([kind, r]);
  }
  const rows = [];
  for (const [kind, r] of results) {
    if (r.error) {
      rows.push([kind, `failed: ${r.error}`, '', '', '', '', '', '', '']);
      continue;
    }
    const ms = (xs) => `${Math.round(xs.reduce((a, b) => a + b, 0) / xs.length)} ms`;
    rows.push([
      kind,
      ms(r.insertCommitMs),
      ms(r.updateCommitMs),
      ms(r.updateWorkMs),
      `${Math.round(r.snapshotMs)} ms`,
      `${Math.round(r.reloadMs)} ms`,
      r.numKeys.toLocaleString(),
      fmtMB(r.memoryUsedBytes),
      `${fmtMB(r.rssAfterInsert)} / ${fmtMB(r.rssAfterUpdates)} / ${fmtMB(r.maxRSS)}`,
      `${fmtMB(r.anonAfterInsert)} / ${fmtMB(r.anonAfterUpdates)}`,
      fmtMB(r.heapAfterUpdates),
    ]);
  }
  printTable([['provider', 'commit/insert batch', 'commit/update batch', 'get+put/update batch', 'snapshot (bg)', 'reload', 'numKeys', 'memoryUsed', 'RSS insert/update/peak', 'anon RSS insert/update', 'heap'], ...rows]);
  for (const [kind, r] of results) {
    if (r.error) continue;
    console.log(`\n${kind}: commit ms per batch: insert [${r.insertCommitMs.map(Math.round).join(', ')}], update [${r.updateCommitMs.map(Math.round).join(', ')}]; RSS (anonymous) after each insert batch, MiB: [${r.rssSeries.map(([rss, anon]) => `${Math.round(rss / 2 ** 20)} (${Math.round(anon / 2 ** 20)})`).join(', ')}]${r.lmdbDataBytes ? `; LMDB data ${fmtMB(r.lmdbDataBytes)}` : ''}`);
  }
}

async function child(kind) {
  const { openStateStoreProvider } = await import('@deltakit/streaming');
  const { LocalFileSystemStore, field, primitive, struct } = await import('@deltakit/core');
  const dir = mkdtempSync(join(tmpdir(), 'deltakit-bench-state-'));
  const spec = {
    store: new LocalFileSystemStore(),
    checkpoint: dir,
    operatorId: 0,
    partition: 0,
    keySchema: struct([field('user', primitive('string')), field('start', primitive('long'))]),
    valueSchema: struct([field('count', primitive('long')), field('sum', primitive('double'))]),
    options: { provider: kind },
  };
  const mem = () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    // Linux splits RSS into anonymous memory (heap, malloc) and file-backed pages (LMDB's memory
    // map: page cache the kernel can drop at any time). "Flat memory" is about the first.
    let anon = m.rss;
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      anon = Number(/RssAnon:\s+(\d+) kB/.exec(status)[1]) * 1024;
    } catch {
      // not Linux: report RSS
    }
    return { ...m, anon };
  };
  const key = (i) => [`user-${String(i % 100_000).padStart(6, '0')}`, BigInt(Math.floor(i / 100_000)) * 60_000_000n];
  try {
    const p = await openStateStoreProvider(spec);
    let version = 0;
    const insertCommitMs = [];
    const rssSeries = [];
    for (let lo = 0; lo < KEYS; lo += BATCH) {
      const s = await p.getStore(version);
      for (let i = lo; i < Math.min(KEYS, lo + BATCH); i++) s.put(key(i), [1n, i / 2]);
      const t = performance.now();
      version = await s.commit();
      insertCommitMs.push(performance.now() - t);
      const mm = mem();
      rssSeries.push([mm.rss, mm.anon]);
      process.stderr.write(`${kind}: inserted ${Math.min(KEYS, lo + BATCH)} keys, commit ${Math.round(insertCommitMs.at(-1))} ms\n`);
    }
    const tSnap = performance.now();
    await p.flush();
    const snapshotMs = performance.now() - tSnap;
    const afterInsert = mem();
    const rssAfterInsert = afterInsert.rss;
    const anonAfterInsert = afterInsert.anon;
    const updateCommitMs = [];
    const updateWorkMs = [];
    let x = 12345;
    let last;
    for (let u = 0; u < UPDATES; u++) {
      const s = await p.getStore(version);
      const t0 = performance.now();
      for (let j = 0; j < BATCH; j++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const k = key(x % KEYS);
        const old = s.get(k);
        s.put(k, [old[0] + 1n, old[1] + 1]);
      }
      const t1 = performance.now();
      version = await s.commit();
      updateWorkMs.push(t1 - t0);
      updateCommitMs.push(performance.now() - t1);
      last = s;
    }
    const m = last.metrics();
    const after = mem();
    await p.close();
    const tLoad = performance.now();
    const q = await openStateStoreProvider(spec);
    const reloaded = await q.getStore(version);
    const reloadMs = performance.now() - tLoad;
    if (reloaded.metrics().numKeys !== KEYS) throw new Error(`reloaded ${reloaded.metrics().numKeys} keys, expected ${KEYS}`);
    await q.close();
    process.stderr.write('\n');
    console.log(
      JSON.stringify({
        insertCommitMs,
        updateCommitMs,
        updateWorkMs,
        snapshotMs,
        reloadMs,
        numKeys: m.numKeys,
        memoryUsedBytes: m.memoryUsedBytes,
        rssSeries,
        rssAfterInsert,
        rssAfterUpdates: after.rss,
        anonAfterInsert,
        anonAfterUpdates: after.anon,
        lmdbDataBytes: m.customMetrics.lmdbDataBytes ?? 0,
        heapAfterUpdates: after.heapUsed,
        maxRSS: process.resourceUsage().maxRSS * 1024,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
