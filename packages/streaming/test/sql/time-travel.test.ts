/**
 * `VERSION AS OF` / `TIMESTAMP AS OF` on a Spark-written table (golden `time-travel-start-start20-start40`:
 * version 0 has ids 0-9, version 1 adds 10-19, version 2 adds 20-29), and `table_changes` on a
 * Spark-written change data feed (delta-rs `simple_table_with_cdc`), against `@deltakit/cdf`.
 */
import { cpSync, readFileSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChanges } from '@deltakit/cdf';
import { DeltaTable } from '@deltakit/core';
import { Session, sql, type Row } from '../../src/index.js';
import { SHARED, tempDir } from '../helpers.js';

/** Copies a fixture table, giving each commit file its commitInfo timestamp as mtime (what Delta's commit timestamps are). */
function copyTable(from: string): string {
  const dir = join(tempDir(), 'table');
  cpSync(from, dir, { recursive: true });
  const log = join(dir, '_delta_log');
  for (const name of readdirSync(log).filter((n) => n.endsWith('.json'))) {
    const info = readFileSync(join(log, name), 'utf8').split('\n').find((l) => l.includes('"commitInfo"'));
    const ms = (JSON.parse(info!) as { commitInfo: { timestamp: number } }).commitInfo.timestamp;
    utimesSync(join(log, name), ms / 1000, ms / 1000);
  }
  return dir;
}

const ids = (rows: readonly Row[]) => rows.map((r) => Number(r['id']));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('time travel in SQL', () => {
  const fixture = join(SHARED, 'fixtures/golden/time-travel-start-start20-start40/delta');

  it('reads each version with VERSION AS OF', async () => {
    const table = copyTable(fixture);
    for (const [version, n] of [[0, 10], [1, 20], [2, 30]] as const) {
      expect(ids(await sql(`SELECT id FROM delta.\`${table}\` VERSION AS OF ${version} ORDER BY id`).collect())).toEqual(range(n));
    }
    expect(ids(await sql(`SELECT id FROM delta.\`${table}\` ORDER BY id`).collect())).toEqual(range(30));
    // Two versions of one table in one query: the rows version 2 added.
    const added = await sql(`SELECT n.id FROM delta.\`${table}\` VERSION AS OF 2 n LEFT ANTI JOIN delta.\`${table}\` FOR SYSTEM_VERSION AS OF 1 o ON n.id = o.id ORDER BY n.id`).collect();
    expect(ids(added)).toEqual(range(10).map((i) => i + 20));
  });

  it('reads the version current at a TIMESTAMP AS OF, in the session time zone', async () => {
    // Commits at 2020-10-26T14:53:39.870Z, 14:53:41.190Z and 14:53:42.561Z.
    const table = copyTable(fixture);
    const count = async (ts: string, session?: Session) => (await sql(`SELECT count(*) AS n FROM delta.\`${table}\` TIMESTAMP AS OF '${ts}'`, session ? { session } : {}).collect())[0]!['n'];
    expect(await count('2020-10-26 14:53:40')).toBe(10n);
    expect(await count('2020-10-26 14:53:41.5')).toBe(20n);
    expect(await count('2020-10-26T14:53:50Z')).toBe(30n);
    expect(await count('2020-10-26 07:53:42', new Session({ timeZone: 'America/Los_Angeles' }))).toBe(20n);
    await expect(sql(`SELECT * FROM delta.\`${table}\` VERSION AS OF 7`).collect()).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });
    await expect(sql(`SELECT * FROM delta.\`${table}\` TIMESTAMP AS OF '2019-01-01'`).collect()).rejects.toMatchObject({ code: 'TIMESTAMP_OUT_OF_RANGE' });
  });
});

describe('table_changes in SQL', () => {
  const table = join(SHARED, 'fixtures/delta-rs/simple_table_with_cdc');
  const norm = (rows: readonly Row[]) => rows.map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)));

  it('returns the change rows of the range, as tableChanges does', async () => {
    const expected: Row[] = [];
    const changes = await tableChanges(DeltaTable.forPath(table), { startingVersion: 0, endingVersion: 2 }).toTable();
    for (const r of changes.toArray()) expected.push({ id: r.id, name: r.name, _change_type: r._change_type, _commit_version: r._commit_version });
    const rows = await sql(`SELECT id, name, _change_type, _commit_version FROM table_changes('${table}', 0, 2) c ORDER BY _commit_version, _change_type DESC, id`).collect();
    expect(norm(rows)).toEqual(norm(expected.sort((a, b) => Number(a['_commit_version']) - Number(b['_commit_version']) || String(b['_change_type']).localeCompare(String(a['_change_type'])) || Number(a['id']) - Number(b['id']))));
    expect(rows.map((r) => r['_change_type'])).toEqual(['insert', 'update_preimage', 'update_postimage']);
    const post = await sql(`SELECT c.name, c._commit_timestamp IS NOT NULL AS stamped FROM table_changes('${table}', 2) AS c WHERE _change_type = 'update_postimage'`).collect();
    expect(post).toEqual([{ name: 'Mino', stamped: true }]);
    const counts = await sql(`SELECT _change_type, count(*) AS n FROM table_changes('${table}', 1, 1) GROUP BY _change_type`).collect();
    expect(counts).toEqual([{ _change_type: 'insert', n: 1n }]);
    await expect(sql(`SELECT * FROM table_changes('${table}', 5)`).collect()).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });
  });
});
