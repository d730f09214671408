import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataFrame } from '../../src/index.js';
import { read } from '../../src/index.js';

let seq = 0;

/** Writes a file (folders created) with a given modification time (seconds since the epoch, default: increasing). */
export function writeFile(path: string, content: string, mtimeSec?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  const t = mtimeSec ?? 1_700_000_000 + seq++;
  utimesSync(path, t, t);
}

export const jsonl = (...rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Runs `df` into a memory table until every available file is taken (availableNow), returning the table's rows. */
export async function runAvailableNow(df: DataFrame, chk: string, name: string): Promise<Record<string, unknown>[]> {
  const q = await df.writeStream.format('memory').queryName(name).option('checkpointLocation', chk).trigger({ availableNow: true }).start();
  await q.awaitTermination();
  const e = q.exception();
  if (e) throw e;
  if (q.recentProgress.length === 0) return []; // no batch ran: the memory table was never created
  return read.table(name).collect();
}
