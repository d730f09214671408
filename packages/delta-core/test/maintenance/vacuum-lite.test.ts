/**
 * VACUUM LITE: candidates from the log only. It must agree with a full VACUUM on a table whose
 * history is all in the log, continue from `_last_vacuum_info`, and refuse to run when the commits
 * it needs were cleaned up (cases from Delta's DeltaVacuumSuite).
 */
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { failure } from '../fixtures.js';
import { DAY, SCHEMA, T0, WEEK, appendIds, memoryTable, readIds } from './vacuum-helpers.js';

const LOG = '/t/_delta_log';
const commitFile = (v: number) => `${LOG}/${String(v).padStart(20, '0')}.json`;

/** A table with three weeks of history: appends, overwrites and untracked-free churn, in memory. */
async function churned() {
  const env = memoryTable();
  const { table, clock } = env;
  await table.create({ schema: SCHEMA });
  let id = 0;
  for (let day = 0; day < 21; day++) {
    clock.now = T0 + day * DAY;
    await appendIds(table, [id++, id++]);
    if (day % 5 === 4) await appendIds(table, [id++], 'overwrite');
  }
  return env;
}

async function lastVacuumInfo(env: ReturnType<typeof memoryTable>): Promise<unknown> {
  return JSON.parse(new TextDecoder().decode(await env.store.get(`${LOG}/_last_vacuum_info`)));
}

describe('VACUUM LITE', () => {
  it('finds exactly what a full VACUUM finds when every file came from the log', async () => {
    const env = await churned();
    env.clock.now = T0 + 21 * DAY;
    const full = await env.table.vacuum({ dryRun: true });
    const lite = await env.table.vacuum({ dryRun: true, mode: 'lite' });
    expect(full.paths.length).toBeGreaterThan(10);
    expect(lite.paths).toEqual(full.paths);
    expect(lite.sizeOfDataToDelete).toBe(full.sizeOfDataToDelete);
    expect(lite.eligibleStartCommitVersion).toBe(0);
    const rowsBefore = await readIds(env.table);
    const done = await env.table.vacuum({ mode: 'lite' });
    expect(done.paths).toEqual(full.paths);
    expect((await env.table.vacuum({ dryRun: true })).paths).toEqual([]);
    expect(await readIds(env.table)).toEqual(rowsBefore);
  });

  it('continues from _last_vacuum_info, and repeated runs are no-ops', async () => {
    const env = await churned();
    env.clock.now = T0 + 18 * DAY; // cutoff day 11
    const first = await env.table.vacuum({ mode: 'lite' });
    const info = (await lastVacuumInfo(env)) as { latestCommitVersionOutsideOfRetentionWindow: number };
    expect(info.latestCommitVersionOutsideOfRetentionWindow).toBe(first.eligibleEndCommitVersion);
    // The newest commit at or before the cutoff (day 11) is day 11's append.
    const history = await env.table.history();
    const expectedEnd = Math.max(...history.filter((h) => h.timestamp <= T0 + 11 * DAY).map((h) => h.version));
    expect(first.eligibleEndCommitVersion).toBe(expectedEnd);
    const again = await env.table.vacuum({ mode: 'lite' });
    expect(again.paths).toEqual([]);
    expect(again.eligibleStartCommitVersion).toBeUndefined(); // nothing left to read
    env.clock.now = T0 + 30 * DAY;
    const later = await env.table.vacuum({ mode: 'lite' });
    expect(later.eligibleStartCommitVersion).toBe(expectedEnd + 1);
    expect(later.paths.length).toBeGreaterThan(0);
    expect((await env.table.vacuum({ dryRun: true })).paths).toEqual([]); // full agrees nothing is left
  });

  it('never deletes files the log never named (Spark: "correctness test", lite)', async () => {
    const env = await churned();
    await env.store.put('/t/untracked.parquet', new Uint8Array([1]));
    env.store.setLastModified('/t/untracked.parquet', T0);
    env.clock.now = T0 + 60 * DAY;
    const lite = await env.table.vacuum({ mode: 'lite', dryRun: true });
    expect(lite.paths).not.toContain('/t/untracked.parquet');
    expect((await env.table.vacuum({ dryRun: true })).paths).toContain('/t/untracked.parquet');
  });

  it('refuses when commit 0 is gone and no VACUUM recorded where it stopped (Spark: "lite vacuum not possible - commit 0 is missing")', async () => {
    const env = await churned();
    await env.table.checkpoint();
    await env.store.delete(commitFile(0));
    await env.store.delete(commitFile(1));
    env.clock.now = T0 + 30 * DAY;
    const e = await failure(env.table.vacuum({ mode: 'lite' }));
    expect(isDeltaError(e, 'VACUUM_LITE_UNAVAILABLE')).toBe(true);
    expect(e.message).toMatch(/full VACUUM/);
    expect((await env.table.history()).at(0)?.commitInfo?.operation).not.toBe('VACUUM START'); // refused before committing
    // A full VACUUM records where it stopped; LITE then continues from there.
    const full = await env.table.vacuum();
    expect(full.numDeletedFiles).toBeGreaterThan(0);
    env.clock.now = T0 + 31 * DAY;
    await expect(env.table.vacuum({ mode: 'lite' })).resolves.toMatchObject({ mode: 'lite' });
  });

  it('refuses when commits since the last VACUUM were cleaned up (Spark: "commits since last vacuum is missing")', async () => {
    const env = await churned();
    env.clock.now = T0 + 8 * DAY; // cutoff day 1
    const first = await env.table.vacuum({ mode: 'lite' });
    const covered = first.eligibleEndCommitVersion!;
    await env.table.checkpoint();
    for (let v = 0; v <= covered + 2; v++) await env.store.delete(commitFile(v));
    env.clock.now = T0 + 30 * DAY;
    const e = await failure(env.table.vacuum({ mode: 'lite' }));
    expect(isDeltaError(e, 'VACUUM_LITE_UNAVAILABLE')).toBe(true);
    expect(e.message).toContain(`up to version ${covered}`);
  });

  it('does nothing, without error, when every commit is inside the window', async () => {
    const env = await churned();
    await env.table.checkpoint();
    await env.store.delete(commitFile(0));
    env.clock.now = T0 + WEEK - DAY; // cutoff before the first commit
    await expect(env.table.vacuum({ mode: 'lite', dryRun: true })).resolves.toMatchObject({ paths: [], numFilesToDelete: 0 });
  });
});
