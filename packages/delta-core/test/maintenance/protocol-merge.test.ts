/**
 * Protocol merging as Delta Spark's `Protocol.merge` (what RESTORE commits): highest versions,
 * every feature either side supports (explicitly or implied by a legacy version), written in the
 * weakest form supporting exactly those features.
 */
import { describe, expect, it } from 'vitest';
import { mergeProtocols } from '../../src/maintenance/protocol-merge.js';
import type { Protocol } from '../../src/log/actions.js';

const sorted = (p: Protocol): Protocol => ({
  ...p,
  ...(p.readerFeatures ? { readerFeatures: [...p.readerFeatures].sort() } : {}),
  ...(p.writerFeatures ? { writerFeatures: [...p.writerFeatures].sort() } : {}),
});

describe('mergeProtocols', () => {
  it('takes the higher legacy versions', () => {
    expect(mergeProtocols({ minReaderVersion: 1, minWriterVersion: 2 }, { minReaderVersion: 1, minWriterVersion: 4 })).toEqual({ minReaderVersion: 1, minWriterVersion: 4 });
    expect(mergeProtocols({ minReaderVersion: 2, minWriterVersion: 5 }, { minReaderVersion: 1, minWriterVersion: 3 })).toEqual({ minReaderVersion: 2, minWriterVersion: 5 });
  });

  it('adds the features a legacy protocol implies to a table-features one', () => {
    const dv: Protocol = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] };
    expect(sorted(mergeProtocols({ minReaderVersion: 1, minWriterVersion: 2 }, dv))).toEqual(sorted({ ...dv, writerFeatures: ['deletionVectors', 'appendOnly', 'invariants'] }));
    const cm = mergeProtocols({ minReaderVersion: 2, minWriterVersion: 5 }, dv);
    expect(sorted(cm)).toEqual(
      sorted({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', 'columnMapping'], writerFeatures: ['deletionVectors', 'appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping'] }),
    );
  });

  it('keeps a legacy reader version when only writer features are added', () => {
    const merged = mergeProtocols({ minReaderVersion: 2, minWriterVersion: 5 }, { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata'] });
    expect(sorted(merged)).toEqual(sorted({ minReaderVersion: 2, minWriterVersion: 7, writerFeatures: ['domainMetadata', 'appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping'] }));
  });

  it('writes exactly-legacy feature sets as the legacy version (Spark normalizes)', () => {
    expect(mergeProtocols({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'invariants'] }, { minReaderVersion: 1, minWriterVersion: 2 })).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    expect(mergeProtocols({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'invariants', 'checkConstraints'] }, { minReaderVersion: 1, minWriterVersion: 1 })).toEqual({ minReaderVersion: 1, minWriterVersion: 3 });
  });
});
