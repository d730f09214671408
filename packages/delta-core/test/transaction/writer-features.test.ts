import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import type { Protocol } from '../../src/log/actions.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { checkWriteSupported } from '../../src/transaction/writer-features.js';
import { Transaction } from '../../src/transaction/transaction.js';
import { deltaRs, describeFixtures, kernel } from '../fixtures.js';
import { copyToMemory } from '../table/helpers.js';
import { PROTOCOL_1_2, fakeAdd, metadata, testEngine } from './helpers.js';

/** A fixture copied into a MemoryStore, opened at its latest version. */
async function fixtureSnapshot(dir: string) {
  const store = await copyToMemory(dir, '/mem/t');
  const engine = testEngine(store);
  return { engine, store, snapshot: await DeltaTable.forPath('memory://mem/t', { engine }).snapshot() };
}

async function refusal(dir: string): Promise<unknown> {
  const { engine, snapshot } = await fixtureSnapshot(dir);
  try {
    Transaction.begin(engine, snapshot, { operation: 'WRITE' });
    return undefined;
  } catch (e) {
    return e;
  }
}

describeFixtures('writer protocol check on real tables', () => {
  it.each([
    ['delta-rs/checkpoint-v2-table (identity column, writer features)', deltaRs('checkpoint-v2-table'), ['identityColumns']],
    ['delta-rs/issue-2152 (identity column, legacy writer 6)', deltaRs('issue-2152'), ['identityColumns']],
    ['kernel/crc-full (rowTracking)', kernel('crc-full'), ['rowTracking']],
    ['delta-rs/table_with_liquid_clustering (rowTracking, unknown "liquid")', deltaRs('table_with_liquid_clustering'), ['rowTracking', 'liquid']],
  ])('refuses %s', async (_name, dir, features) => {
    const err = await refusal(dir);
    expect(isDeltaError(err, 'UNSUPPORTED_WRITER_FEATURE'), String(err)).toBe(true);
    if (isDeltaError(err)) {
      expect(features).toContain(err.details.feature);
      expect(err.message).toContain(`"${String(err.details.feature)}"`);
    }
  });

  it('writes to a table whose checkConstraints/generatedColumns/invariants features are supported but unused', async () => {
    const { engine, snapshot } = await fixtureSnapshot(deltaRs('table_with_partitioning_mapping'));
    const before = snapshot.addFiles.length;
    const tx = Transaction.begin(engine, snapshot, { operation: 'WRITE' });
    const r = await tx.addFiles([{ ...fakeAdd('new-file.parquet'), partitionValues: snapshot.addFiles[0]!.partitionValues }]).commit();
    expect(r.version).toBe(snapshot.version + 1);
    const after = await DeltaTable.forPath('memory://mem/t', { engine }).snapshot();
    expect(after.addFiles.length).toBe(before + 1);
  });

  it('continues in-commit timestamps after the last commit of an ICT table (delta-rs/cdc_ict_table)', async () => {
    const { engine, snapshot } = await fixtureSnapshot(deltaRs('cdc_ict_table'));
    const previous = snapshot.commitInfo?.inCommitTimestamp;
    expect(typeof previous).toBe('number');
    const stuck = { ...engine, clock: { nowMs: () => previous! - 60_000 } };
    const r = await Transaction.begin(stuck, snapshot, { operation: 'WRITE' }).addFiles([{ ...fakeAdd('ict-new.parquet'), partitionValues: snapshot.addFiles[0]?.partitionValues ?? {} }]).commit();
    expect(r.commitInfo.inCommitTimestamp).toBe(previous! + 1);
  });
});

describe('writer protocol check on synthetic metadata', () => {
  const withField = (fieldMetadata: Record<string, unknown>) =>
    metadata({ schemaString: JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: fieldMetadata }, { name: 'part', type: 'string', nullable: true, metadata: {} }] }) });
  const v7 = (writerFeatures: string[]): Protocol => ({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures });
  const featureOf = (fn: () => unknown): unknown => {
    try {
      fn();
      return undefined;
    } catch (e) {
      return isDeltaError(e, 'UNSUPPORTED_WRITER_FEATURE') ? e.details.feature : e;
    }
  };

  it('refuses features in use that this library cannot enforce', () => {
    const ident = withField({ 'delta.identity.start': 1, 'delta.identity.step': 1 });
    expect(featureOf(() => checkWriteSupported({ minReaderVersion: 1, minWriterVersion: 6 }, ident, '/t'))).toBe('identityColumns');
    const defaults = withField({ CURRENT_DEFAULT: '0' });
    expect(featureOf(() => checkWriteSupported(v7(['allowColumnDefaults']), defaults, '/t'))).toBe('allowColumnDefaults');
  });

  it('accepts invariants, CHECK constraints and generated columns in use (enforced by the write checks)', () => {
    const inv = withField({ 'delta.invariants': '{"expression":{"expression":"id > 0"}}' });
    expect(featureOf(() => checkWriteSupported(PROTOCOL_1_2, inv, '/t'))).toBeUndefined();
    const cons = metadata({ configuration: { 'delta.constraints.positive': 'id > 0' } });
    expect(featureOf(() => checkWriteSupported({ minReaderVersion: 1, minWriterVersion: 3 }, cons, '/t'))).toBeUndefined();
    const gen = withField({ 'delta.generationExpression': 'id * 2' });
    expect(featureOf(() => checkWriteSupported(v7(['generatedColumns']), gen, '/t'))).toBeUndefined();
    expect(featureOf(() => checkWriteSupported({ minReaderVersion: 1, minWriterVersion: 4 }, gen, '/t'))).toBeUndefined();
  });

  it('accepts the same features while unused, and a property without the feature', () => {
    const plain = metadata();
    expect(checkWriteSupported({ minReaderVersion: 1, minWriterVersion: 6 }, plain, '/t').warnings).toEqual([]);
    expect(checkWriteSupported(v7(['invariants', 'checkConstraints', 'generatedColumns', 'identityColumns']), plain, '/t').warnings).toEqual([]);
    // A constraint on a writer-2 table: the checkConstraints feature is not supported, so it is not in force.
    expect(checkWriteSupported(PROTOCOL_1_2, metadata({ configuration: { 'delta.constraints.x': 'id > 0' } }), '/t').warnings).toEqual([]);
  });

  it('refuses rowTracking whenever supported, unknown features, and writer versions above 7', () => {
    expect(featureOf(() => checkWriteSupported(v7(['domainMetadata', 'rowTracking']), metadata(), '/t'))).toBe('rowTracking');
    expect(featureOf(() => checkWriteSupported(v7(['someFutureFeature']), metadata(), '/t'))).toBe('someFutureFeature');
    expect(() => checkWriteSupported({ minReaderVersion: 1, minWriterVersion: 8 }, metadata(), '/t')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_WRITER_VERSION' }));
    expect(() => checkWriteSupported({ minReaderVersion: 4, minWriterVersion: 7 }, metadata(), '/t')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_READER_VERSION' }));
  });

  it('accepts clustering without a warning (new files are unclustered until OPTIMIZE, as Spark writes them)', () => {
    expect(checkWriteSupported(v7(['domainMetadata', 'clustering']), metadata(), '/t').warnings).toEqual([]);
  });

  it('refuses at commit a protocol the transaction itself upgrades to an unsupported one', async () => {
    const engine = testEngine();
    const tx = Transaction.begin(engine, null, { operation: 'CREATE TABLE', tableRoot: '/t' });
    tx.updateProtocol(v7(['rowTracking', 'domainMetadata'])).updateMetadata(metadata());
    await expect(tx.commit()).rejects.toMatchObject({ code: 'UNSUPPORTED_WRITER_FEATURE' });
  });
});
