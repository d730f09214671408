// Shared helpers for the benchmark scripts: child-process runs, timing statistics, memory
// sampling, table printing, and loading @deltakit/core without crashing when its API is missing.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CORE_DIR = fileURLToPath(new URL('../packages/delta-core', import.meta.url));

/** Median of a non-empty list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "1.23 s [1.10–1.50]" from a list of milliseconds. */
export function fmtTimes(ms) {
  const s = (x) => (x / 1000).toFixed(2);
  return `${s(median(ms))} s [${s(Math.min(...ms))}–${s(Math.max(...ms))}]`;
}

export const fmtRate = (perSec) => (perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M` : `${(perSec / 1e3).toFixed(0)} k`);
export const fmtMB = (bytes) => `${Math.round(bytes / 2 ** 20)} MiB`;

/**
 * Samples RSS and heap every `intervalMs` (timers only fire between synchronous stretches, so
 * the heap peak is a lower bound); `stop()` takes a final sample and returns the peaks, with RSS
 * from the kernel's exact process-wide high-water mark (`resourceUsage().maxRSS`).
 */
export function startMemorySampler(intervalMs = 10) {
  const peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak)) if (m[k] > peak[k]) peak[k] = m[k];
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      peak.maxRSS = process.resourceUsage().maxRSS * 1024;
      return { ...peak };
    },
  };
}

/**
 * Runs `node script args...` in a fresh process and returns the JSON object it prints as the last
 * line of stdout (stderr passes through for progress). Failures come back as `{error}`.
 */
export function runChild(script, args, { timeoutMs = 150_000, nodeArgs = [] } = {}) {
  const res = spawnSync(process.execPath, [...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 2 ** 20,
  });
  if (res.error) return { error: `child failed: ${res.error.message}` };
  const lines = (res.stdout ?? '').trim().split('\n');
  const last = lines[lines.length - 1];
  try {
    return JSON.parse(last);
  } catch {
    return { error: `child exited with ${res.status ?? res.signal} and no result${last ? `: ${last.slice(0, 300)}` : ''}` };
  }
}

/**
 * Starts `node script args...` as a long-lived child with an IPC channel, for benchmarks that
 * interleave variants round by round. `next()` awaits the child's next message; `request(msg)`
 * sends one and awaits the reply. If the child exits or exceeds `timeoutMs` on a message, the
 * promise resolves to `{error}` (and a timed-out child is killed).
 */
export function startChild(script, args, { timeoutMs = 120_000 } = {}) {
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting;
  let exited;
  const settle = (value) => {
    const w = waiting;
    waiting = undefined;
    if (w) {
      clearTimeout(w.timer);
      w.resolve(value);
    }
  };
  child.on('message', settle);
  child.on('exit', (code, signal) => {
    exited = `child exited with ${code ?? signal}`;
    settle({ error: exited });
  });
  const next = () =>
    new Promise((resolve) => {
      if (exited) return resolve({ error: exited });
      const timer = setTimeout(() => {
        child.kill();
        settle({ error: `no answer within ${timeoutMs / 1000} s` });
      }, timeoutMs);
      waiting = { resolve, timer };
    });
  return {
    next,
    request(msg) {
      if (exited) return Promise.resolve({ error: exited });
      const reply = next();
      child.send(msg);
      return reply;
    },
    kill: () => child.kill(),
  };
}

/** Prints rows of cells as an aligned plain-text table (first row is the header). */
export function printTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join('  ').trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

function newestMtime(dir) {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    newest = Math.max(newest, ent.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Imports @deltakit/core (its built `dist/`) and checks that `DeltaTable.forPath` exists.
 * Returns `{core, warning?}` or `{unavailable: reason}`; never throws.
 */
export async function loadDeltakit() {
  // DELTAKIT_BENCH_CORE points the benches at another build of the package (a file path).
  const override = process.env.DELTAKIT_BENCH_CORE;
  let core;
  try {
    core = await import(override ? pathToFileURL(override).href : '@deltakit/core');
  } catch (e) {
    return { unavailable: `cannot import @deltakit/core (${e.message.split('\n')[0]}); run \`pnpm build\`` };
  }
  if (typeof core.DeltaTable?.forPath !== 'function') {
    return { unavailable: '@deltakit/core exports no DeltaTable.forPath yet (scan API not built; run `pnpm build` once it lands)' };
  }
  let warning;
  const dist = join(CORE_DIR, 'dist', 'index.js');
  if (existsSync(dist) && newestMtime(join(CORE_DIR, 'src')) > statSync(dist).mtimeMs) {
    warning = 'packages/delta-core/src is newer than dist/: numbers are for the last build (run `pnpm build`)';
  }
  return { core, warning };
}

/**
 * Opens a table with deltakit. `workers: undefined` uses the library defaults; a number builds an
 * engine with that many parquet decode workers (0 decodes on the calling thread) through
 * `createDefaultEngine({workers})`, passed as `DeltaTable.forPath(dir, {engine})`.
 * Returns `{table, close}`; `close` releases the engine's workers.
 */
export async function openDeltaTable(core, dir, workers) {
  let options = {};
  if (workers !== undefined) {
    if (typeof core.createDefaultEngine !== 'function') {
      throw new Error('@deltakit/core exports no createDefaultEngine, so the worker count cannot be chosen');
    }
    options = { engine: core.createDefaultEngine({ workers }) };
  }
  const table = await core.DeltaTable.forPath(dir, options);
  const close = async () => {
    if (typeof table.close === 'function') await table.close();
    else await options.engine?.parquet.close();
  };
  return { table, close };
}
