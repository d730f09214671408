import { describe, expect, it } from 'vitest';
import { BASE_INDEX, END_INDEX, METADATA_CHANGE_INDEX, deserializeOffset, offsetAfter, serializeOffset } from '../../src/sources/delta-offset.js';

describe('Delta source offsets (DeltaSourceOffsetSuite)', () => {
  it('writes Delta’s JSON: sourceVersion 1, BASE_INDEX as -1, isStartingVersion for the initial snapshot flag', () => {
    expect(serializeOffset({ reservoirId: 't', reservoirVersion: 3, index: BASE_INDEX, isInitialSnapshot: false })).toBe('{"sourceVersion":1,"reservoirId":"t","reservoirVersion":3,"index":-1,"isStartingVersion":false}');
    expect(serializeOffset({ reservoirId: 't', reservoirVersion: 3, index: 7, isInitialSnapshot: true })).toBe('{"sourceVersion":1,"reservoirId":"t","reservoirVersion":3,"index":7,"isStartingVersion":true}');
    // Schema-change barriers need version 3.
    expect(JSON.parse(serializeOffset({ reservoirId: 't', reservoirVersion: 3, index: METADATA_CHANGE_INDEX, isInitialSnapshot: false })).sourceVersion).toBe(3);
    expect(() => serializeOffset({ reservoirId: 't', reservoirVersion: 3, index: END_INDEX, isInitialSnapshot: false })).toThrow();
  });

  it('reads -1 of version 1 as BASE_INDEX, refuses version 2 and versions above 3, and another table id', () => {
    expect(deserializeOffset('{"sourceVersion":1,"reservoirId":"t","reservoirVersion":3,"index":-1,"isStartingVersion":false}')).toEqual({ reservoirId: 't', reservoirVersion: 3, index: BASE_INDEX, isInitialSnapshot: false });
    expect(deserializeOffset('{"sourceVersion":3,"reservoirId":"t","reservoirVersion":3,"index":-20,"isStartingVersion":false}').index).toBe(METADATA_CHANGE_INDEX);
    expect(() => deserializeOffset('{"sourceVersion":2,"reservoirId":"t","reservoirVersion":3,"index":1,"isStartingVersion":false}')).toThrow(expect.objectContaining({ code: 'CORRUPT_CHECKPOINT' }));
    expect(() => deserializeOffset('{"sourceVersion":4,"reservoirId":"t","reservoirVersion":3,"index":1,"isStartingVersion":false}')).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INCOMPATIBLE' }));
    expect(() => deserializeOffset('{"sourceVersion":1,"reservoirId":"a","reservoirVersion":3,"index":1,"isStartingVersion":false}', 'b')).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INCOMPATIBLE' }));
    expect(() => deserializeOffset('{"reservoirVersion":3}')).toThrow(expect.objectContaining({ code: 'CORRUPT_CHECKPOINT' }));
  });

  it('an offset ending on END_INDEX moves to the next version’s base, leaving the initial snapshot', () => {
    expect(offsetAfter('t', 5, END_INDEX, 5, true)).toEqual({ reservoirId: 't', reservoirVersion: 6, index: BASE_INDEX, isInitialSnapshot: false });
    expect(offsetAfter('t', 5, 2, 5, true)).toEqual({ reservoirId: 't', reservoirVersion: 5, index: 2, isInitialSnapshot: true });
    expect(offsetAfter('t', 6, 0, 5, true).isInitialSnapshot).toBe(false);
  });
});
