import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Metadata, Protocol } from '../../src/log/actions.js';
import { loadTableState } from '../../src/log/load-table-state.js';
import { activeWriterFeatures, checkReadSupported, supportedWriterFeatures } from '../../src/log/protocol-check.js';
import { describeFixtures, golden } from '../fixtures.js';
import { localEngine } from './helpers.js';

function failure(f: () => void): Error & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

const meta = (configuration: Record<string, string>, schemaString = '{"type":"struct","fields":[]}'): Metadata => ({
  id: 'x',
  format: { provider: 'parquet', options: {} },
  schemaString,
  partitionColumns: [],
  configuration,
});

describe('checkReadSupported', () => {
  it('accepts reader versions 1-3 with supported features', () => {
    checkReadSupported({ minReaderVersion: 1, minWriterVersion: 2 }, '/t');
    checkReadSupported({ minReaderVersion: 2, minWriterVersion: 5 }, '/t');
    checkReadSupported({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', 'timestampWithoutTimezone', 'v2Checkpoint'], writerFeatures: [] }, '/t');
  });

  it('names unsupported reader features and versions', () => {
    const e = failure(() => checkReadSupported({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['columnMapping', 'catalogManaged', 'geospatial'], writerFeatures: [] }, '/t'));
    expect(e.code).toBe('UNSUPPORTED_READER_FEATURE');
    expect(e.message).toContain('"catalogManaged", "geospatial"');
    expect(failure(() => checkReadSupported({ minReaderVersion: 4, minWriterVersion: 7 }, '/t')).code).toBe('UNSUPPORTED_READER_VERSION');
    expect(failure(() => checkReadSupported({ minReaderVersion: 0, minWriterVersion: 1 }, '/t')).code).toBe('INVALID_PROTOCOL');
    expect(failure(() => checkReadSupported({ minReaderVersion: 3, minWriterVersion: 7 }, '/t')).code).toBe('INVALID_PROTOCOL');
  });
});

describe('writer features', () => {
  it('derives supported features from legacy writer versions', () => {
    expect(supportedWriterFeatures({ minReaderVersion: 1, minWriterVersion: 2 })).toEqual(new Set(['appendOnly', 'invariants']));
    expect(supportedWriterFeatures({ minReaderVersion: 2, minWriterVersion: 6 })).toEqual(
      new Set(['appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping', 'identityColumns']),
    );
    const p: Protocol = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'changeDataFeed'] };
    expect(supportedWriterFeatures(p)).toEqual(new Set(['deletionVectors', 'changeDataFeed']));
  });

  it('reports only features the metadata enables', () => {
    const legacy: Protocol = { minReaderVersion: 1, minWriterVersion: 4 };
    expect(activeWriterFeatures(legacy, meta({}))).toEqual(new Set());
    expect(activeWriterFeatures(legacy, meta({ 'delta.appendOnly': 'true', 'delta.enableChangeDataFeed': 'true', 'delta.constraints.c': 'x > 0' }))).toEqual(
      new Set(['appendOnly', 'changeDataFeed', 'checkConstraints']),
    );
    const withInvariant = '{"type":"struct","fields":[{"name":"a","type":"integer","nullable":true,"metadata":{"delta.invariants":"{}"}}]}';
    expect(activeWriterFeatures(legacy, meta({}, withInvariant))).toEqual(new Set(['invariants']));
    const v7: Protocol = { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata', 'inCommitTimestamp'] };
    expect(activeWriterFeatures(v7, meta({ 'delta.appendOnly': 'true' }))).toEqual(new Set(['domainMetadata']));
  });
});

describeFixtures('protocol check on fixture tables', () => {
  it('opens every table of the Hive connector folder', async () => {
    const engine = localEngine();
    const root = golden('hive');
    const names = readdirSync(root);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const state = await loadTableState(engine, `${root}/${name}`);
      expect(state.metadata.id, name).toBeTruthy();
    }
  });
});
