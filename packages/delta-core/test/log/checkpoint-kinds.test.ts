import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import type { AddFile } from '../../src/log/actions.js';
import { verifyLastCheckpointChecksum } from '../../src/log/last-checkpoint-checksum.js';
import { parseLastCheckpoint } from '../../src/log/last-checkpoint.js';
import { loadTableState } from '../../src/log/load-table-state.js';
import { buildLogSegment } from '../../src/log/segment.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';
import { describeFixtures, golden, kernel } from '../fixtures.js';
import { copyTable, expectGoldenRows, logFiles, removeCopies } from './checkpoint-copies.js';
import { localEngine } from './helpers.js';

const engine = localEngine();
afterAll(async () => {
  removeCopies();
  await engine.parquet.close();
});

const key = (f: AddFile) => `${f.path}|${f.deletionVector?.pathOrInlineDv ?? ''}`;
const sortedKeys = (files: readonly AddFile[]) => files.map(key).sort();

describeFixtures('multi-part checkpoints', () => {
  it.each(['basic-with-inserts-deletes-checkpoint', 'dv-with-columnmapping'])('%s: split by partSize, read back as the same table', async (name) => {
    const root = copyTable(golden(name));
    const before = await loadTableState(engine, root);
    // The fixtures' tombstones are long expired, so only live files are written.
    const partSize = Math.ceil(before.files.length / 3);
    expect(Math.ceil(before.files.length / partSize)).toBe(3);
    const { version } = await DeltaTable.forPath(root, { engine }).checkpoint({ partSize });
    const v = String(version).padStart(20, '0');
    expect(logFiles(root).filter((f) => f.includes('.checkpoint.'))).toEqual([1, 2, 3].map((p) => `${v}.checkpoint.000000000${p}.0000000003.parquet`));
    const hintText = readFileSync(`${root}/_delta_log/_last_checkpoint`, 'utf8');
    expect(verifyLastCheckpointChecksum(hintText)).toBe(true);
    const hint = parseLastCheckpoint(new TextEncoder().encode(hintText))!;
    expect(hint).toMatchObject({ version, parts: 3, numOfAddFiles: before.files.length });

    const segment = await buildLogSegment(engine, root);
    expect(segment.checkpoint).toMatchObject({ version, type: 'multiPart' });
    // Each part is a valid parquet file; together they hold each action once (DuckDB counts).
    const parts = segment.checkpoint!.files.map((f) => lit(f.path)).join(', ');
    const [counts] = await duckRows(`SELECT count(add) AS adds, count(remove) AS removes, count(metaData) AS md, count(protocol) AS p, count(*) AS n FROM read_parquet([${parts}], union_by_name = true)`);
    expect(counts).toMatchObject({ adds: BigInt(before.files.length), md: 1n, p: 1n });
    expect(Number(counts!['n'])).toBe(hint.size);

    const after = await loadTableState(engine, root);
    expect(sortedKeys(after.files)).toEqual(sortedKeys(before.files));
    expect(after.metadata).toEqual(before.metadata);
    await expectGoldenRows(engine, root, name);
  });

  it('writing the same state twice produces the same parts', async () => {
    const root = copyTable(golden('basic-with-inserts-deletes-checkpoint'));
    const table = DeltaTable.forPath(root, { engine });
    await table.checkpoint({ partSize: 4 });
    const first = logFiles(root).filter((f) => f.includes('.checkpoint.')).map((f) => readFileSync(`${root}/_delta_log/${f}`));
    await table.checkpoint({ partSize: 4 });
    const second = logFiles(root).filter((f) => f.includes('.checkpoint.')).map((f) => readFileSync(`${root}/_delta_log/${f}`));
    expect(second).toEqual(first);
  });
});

describeFixtures('V2 checkpoints with sidecars', () => {
  it.each([
    ['v2-checkpoint-json', 'json'],
    ['v2-checkpoint-parquet', 'parquet'],
    ['v2-checkpoint-json', 'parquet'],
  ] as const)('%s with a %s top-level file and sidecars reads as expected', async (name, format) => {
    const root = copyTable(golden(name));
    const before = await loadTableState(engine, root);
    const { version } = await DeltaTable.forPath(root, { engine }).checkpoint({ partSize: 2, v2Format: format });
    const v = String(version).padStart(20, '0');
    const tops = logFiles(root).filter((f) => f.includes('.checkpoint.'));
    expect(tops).toHaveLength(1);
    expect(tops[0]).toMatch(new RegExp(`^${v}\\.checkpoint\\.[0-9a-f-]{36}\\.${format}$`));
    const sidecars = readSidecarNames(root);
    const expectedSidecars = Math.ceil(before.files.length / 2); // tombstones long expired
    expect(sidecars).toHaveLength(expectedSidecars);
    for (const s of sidecars) expect(s).toMatch(new RegExp(`^${v}\\.checkpoint\\.\\d{10}\\.${String(expectedSidecars).padStart(10, '0')}\\.[0-9a-f-]{36}\\.parquet$`));

    // _last_checkpoint as Spark writes it for V2: the top-level file, its non-file actions and sidecars.
    const hintText = readFileSync(`${root}/_delta_log/_last_checkpoint`, 'utf8');
    expect(verifyLastCheckpointChecksum(hintText)).toBe(true);
    const hint = parseLastCheckpoint(new TextEncoder().encode(hintText))!;
    expect(hint.v2Checkpoint?.path).toBe(tops[0]);
    expect(hint.v2Checkpoint?.sidecarFiles?.map((s) => s.path).sort()).toEqual([...sidecars].sort());
    expect(hint.v2Checkpoint?.nonFileActions?.map((a) => a.kind)).toEqual(['protocol', 'metaData', 'checkpointMetadata']);
    expect(hint.numOfAddFiles).toBe(before.files.length);

    // Sidecars hold only add and remove columns; DuckDB reads them.
    const paths = sidecars.map((s) => lit(`${root}/_delta_log/_sidecars/${s}`)).join(', ');
    const cols = await duckRows(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet([${paths}]))`);
    expect(cols.map((c) => c['column_name'])).toEqual(['add', 'remove']);
    const [n] = await duckRows(`SELECT count(add) AS adds FROM read_parquet([${paths}])`);
    expect(n!['adds']).toBe(BigInt(before.files.length));

    const segment = await buildLogSegment(engine, root);
    expect(segment.checkpoint).toMatchObject({ version, type: 'uuid', format });
    const after = await loadTableState(engine, root);
    expect(sortedKeys(after.files)).toEqual(sortedKeys(before.files));
    expect(after.protocol).toEqual(before.protocol);
    await expectGoldenRows(engine, root, name);
  });

  it.each(['v2-checkpoints-json-with-sidecars', 'v2-classic-checkpoint-parquet', 'v2-checkpoints-parquet-without-sidecars'])(
    'kernel table %s: our V2 checkpoint gives the state of its commits',
    async (name) => {
      const root = copyTable(kernel(name));
      const before = await loadTableState(engine, root);
      await DeltaTable.forPath(root, { engine }).checkpoint();
      expect((await buildLogSegment(engine, root)).checkpoint?.type).toBe('uuid');
      const after = await loadTableState(engine, root);
      expect(sortedKeys(after.files)).toEqual(sortedKeys(before.files));
      expect(after.domains).toEqual(before.domains);
      expect(after.txns).toEqual(before.txns);
    },
  );

  it('still writes a classic-named V2 checkpoint with inline actions on request', async () => {
    const root = copyTable(golden('v2-checkpoint-parquet'));
    const { version } = await DeltaTable.forPath(root, { engine }).checkpoint({ v2Format: 'classic' });
    expect(logFiles(root).filter((f) => f.includes('.checkpoint.'))).toEqual([`${String(version).padStart(20, '0')}.checkpoint.parquet`]);
    expect(readSidecarNames(root)).toEqual([]);
    await expectGoldenRows(engine, root, 'v2-checkpoint-parquet');
  });
});

function readSidecarNames(root: string): string[] {
  const dir = `${root}/_delta_log/_sidecars`;
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).sort() : [];
}
