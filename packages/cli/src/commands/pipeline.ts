import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { DeltaError, DeltaTable, LocalFileSystemStore, decimal, field, primitive, struct } from '@deltakit/core';
import { tableChanges } from '@deltakit/cdf';
import { read, streams, type StreamingQueryListener } from '@deltakit/streaming';
import type { ParsedArgs } from '../args.js';
import type { Command, CommandContext } from './command.js';
import { runPipelineWorker, type PipelinePaths } from './pipeline-worker.js';
import { generateLanding, type LandingFile } from './pipeline-data.js';

export const pipelineCommand: Command = {
  name: 'pipeline',
  summary: 'Run the streaming demo: Auto Loader → bronze → MERGE → silver, killed and resumed exactly once',
  help: `Usage: deltakit pipeline [options]

The streaming pipeline end to end, on the local file system:
  1. order JSON files land in <dir>/landing over time (a new column appears half way, a few
     records are malformed, later files update earlier orders);
  2. Auto Loader streams them into the bronze Delta table (schema evolution, rescued data);
  3. a Delta stream of bronze upserts into the silver table (change data feed on) with an
     idempotent foreachBatch MERGE keyed by order id;
  4. the process running the queries is killed with SIGKILL half way and started again;
  5. the tables are checked (every record exactly once) and silver's change feed is printed.
Rerunning replaces <dir>.

Options:
  --dir PATH     Working folder (default: ./demo-pipeline)
  -h, --help     Show this help
`,
  options: { dir: { type: 'string' }, worker: { type: 'boolean' }, 'available-now': { type: 'boolean' } },
  run: runPipeline,
};

function pathsOf(dir: string): PipelinePaths {
  return { landing: `${dir}/landing/orders`, bronze: `${dir}/tables/bronze_orders`, silver: `${dir}/tables/silver_orders`, checkpoints: `${dir}/checkpoints` };
}

async function runPipeline(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const dir = resolve(typeof args.values.dir === 'string' ? args.values.dir : './demo-pipeline');
  if (args.values.worker === true) return runWorker(pathsOf(dir), args.values['available-now'] === true, ctx);
  const say = (line = '') => ctx.out.write(`${line}\n`);
  const started = Date.now();
  const p = pathsOf(dir);
  await removePreviousRun(dir);
  const files = generateLanding();
  await DeltaTable.forPath(p.silver).create({
    schema: struct([field('order_id', primitive('long')), field('customer', primitive('string')), field('status', primitive('string')), field('amount', decimal(10, 2)), field('order_time', primitive('timestamp'))]),
    properties: { 'delta.enableChangeDataFeed': 'true' },
  });
  await say(`deltakit pipeline in ${dir}`);
  await say(`landing JSON files → Auto Loader → bronze_orders → foreachBatch MERGE on order_id → silver_orders (change data feed on)\n`);

  let worker = startWorker(dir, false, say);
  await land(files.slice(0, 6), p, say);
  await sleep(400);
  worker.kill('SIGKILL');
  await exited(worker);
  await say(`!! killed the streaming process with SIGKILL (mid-stream, no clean shutdown)`);
  worker = startWorker(dir, false, say);
  await say(`>> started it again on the same checkpoints`);
  await land(files.slice(6), p, say);
  await sleep(600);
  worker.kill('SIGTERM');
  await exited(worker);
  await say(`>> stopped it (SIGTERM: after the batch in flight); catching up with trigger availableNow`);
  const final = startWorker(dir, true, say);
  const code = await exited(final);
  if (code !== 0) throw new Error(`the catch-up run exited with status ${code}`);
  await report(files, p, say);
  await say(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function land(files: readonly LandingFile[], p: PipelinePaths, say: (l: string) => Promise<unknown>): Promise<void> {
  const store = new LocalFileSystemStore();
  for (const f of files) {
    await store.put(`${p.landing}/${f.name}`, new TextEncoder().encode(f.text));
    await say(`   landed ${f.name}: ${f.records} records${f.note ? ` (${f.note})` : ''}`);
    await sleep(250);
  }
}

function startWorker(dir: string, availableNow: boolean, say: (l: string) => Promise<unknown>): ChildProcess {
  const argv = [process.argv[1]!, 'pipeline', '--worker', '--dir', dir, ...(availableNow ? ['--available-now'] : [])];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      void say(`      ${buffered.slice(0, nl)}`);
      buffered = buffered.slice(nl + 1);
    }
  });
  return child;
}

async function runWorker(p: PipelinePaths, availableNow: boolean, ctx: CommandContext): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const listener: StreamingQueryListener = {
    onQueryProgress: ({ progress }) => {
      if (progress.numInputRows === 0) return;
      const v = progress.sink.metrics.tableVersion;
      void ctx.out.write(`${progress.name} batch ${progress.batchId}: ${progress.numInputRows} rows${v === undefined ? '' : ` → table version ${v}`}\n`);
    },
  };
  streams.addListener(listener);
  try {
    await runPipelineWorker(p, { availableNow, signal: controller.signal, log: (line) => void ctx.out.write(`${line}\n`) });
  } finally {
    streams.removeListener(listener);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/** Checks every record landed exactly once and prints the tables and silver's change feed. */
async function report(files: readonly LandingFile[], p: PipelinePaths, say: (l: string) => Promise<unknown>): Promise<void> {
  const bronze = await read.format('delta').load(p.bronze).collect();
  const silver = await read.format('delta').load(p.silver).collect();
  const expectedRecords = files.reduce((n, f) => n + f.records, 0);
  const withId = bronze.filter((r) => r.event_id !== null && r.event_id !== undefined);
  const keys = new Set(withId.map((r) => String(r.event_id)));
  const malformed = bronze.length - withId.length;
  const latest = new Map<string, string>();
  for (const f of files) for (const o of f.orders) latest.set(String(o.order_id), o.status);
  const silverOk = silver.length === latest.size && silver.every((r) => latest.get(String(r.order_id)) === r.status);
  const rescued = bronze.filter((r) => r._rescued_data !== null && r._rescued_data !== undefined).length;
  const once = bronze.length === expectedRecords && keys.size === withId.length && malformed === 2;
  await say(`\nbronze_orders: ${bronze.length} rows for ${expectedRecords} landed lines, ${keys.size} distinct event ids, ${malformed} malformed lines${once ? ' ✓ exactly once' : ' ✗ MISMATCH'}`);
  await say(`   ${rescued} row${rescued === 1 ? ' carries' : 's carry'} _rescued_data; columns: ${Object.keys(bronze[0] ?? {}).join(', ')}`);
  await say(`silver_orders: ${silver.length} orders, each with its latest status${silverOk ? ' ✓' : ' ✗ MISMATCH'}`);
  const table = DeltaTable.forPath(p.silver);
  const counts = new Map<string, number>();
  const sample: string[] = [];
  const changes = await tableChanges(table, { startingVersion: 1 }).toTable();
  const rows = changes.toArray().map((r) => r.toJSON() as Record<string, unknown>);
  for (const r of rows) counts.set(String(r._change_type), (counts.get(String(r._change_type)) ?? 0) + 1);
  // The order with the longest history in the feed.
  const perOrder = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) perOrder.set(String(r.order_id), [...(perOrder.get(String(r.order_id)) ?? []), r]);
  const watched = [...perOrder.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const order = ['insert', 'update_preimage', 'update_postimage', 'delete'];
  watched.sort((a, b) => Number(a._commit_version) - Number(b._commit_version) || order.indexOf(String(a._change_type)) - order.indexOf(String(b._change_type)));
  for (const r of watched) sample.push(`   v${String(r._commit_version)} ${String(r._change_type).padEnd(16)} order ${String(r.order_id)} status=${String(r.status)}${r.coupon ? ` coupon=${String(r.coupon)}` : ''}`);
  await say(`\nsilver change feed since version 1: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  for (const line of sample) await say(line);
  if (!(once && silverOk)) throw new Error('the pipeline lost or duplicated records (see above)');
}

/** Empties `dir` when it holds a previous run (or nothing); refuses any other folder. */
async function removePreviousRun(dir: string): Promise<void> {
  const store = new LocalFileSystemStore();
  const files: string[] = [];
  const dirs = new Set<string>();
  try {
    for await (const m of store.list(dir, { recursive: true, physical: true })) {
      if (m.kind === 'directory') dirs.add(m.path);
      else files.push(m.path);
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'FILE_NOT_FOUND' || (e as { code?: string }).code === 'NOT_A_DIRECTORY') return;
    throw e;
  }
  const ours = (p: string) => /\/(landing|tables|checkpoints)(\/|$)/.test(p.slice(dir.length));
  const foreign = files.filter((f) => !ours(f));
  if (foreign.length > 0) {
    throw new DeltaError('INVALID_ARGUMENT', `${dir} holds files that deltakit pipeline did not write (e.g. ${foreign[0]}); nothing was removed. Pass --dir with a new or earlier pipeline folder.`);
  }
  for (const f of files) await store.delete(f);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await store.deleteDirectory?.(d);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code ?? 1)));
}
