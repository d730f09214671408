import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { formatVersion, parseLogFileName } from '../../src/log/log-path.js';

describe('parseLogFileName', () => {
  it('recognizes every log file kind', () => {
    expect(parseLogFileName('00000000000000000012.json')).toEqual({ type: 'commit', version: 12 });
    expect(parseLogFileName('00000000000000000010.checkpoint.parquet')).toEqual({ type: 'classicCheckpoint', version: 10 });
    expect(parseLogFileName('00000000000000000005.checkpoint.0000000002.0000000003.parquet')).toEqual({
      type: 'multiPartCheckpoint',
      version: 5,
      part: 2,
      numParts: 3,
    });
    expect(parseLogFileName('00000000000000000006.checkpoint.2a15d0c6-8b11-4a98-bab4-957905d62f7f.json')).toEqual({
      type: 'uuidCheckpoint',
      version: 6,
      uuid: '2a15d0c6-8b11-4a98-bab4-957905d62f7f',
      format: 'json',
    });
    expect(parseLogFileName('00000000000000000001.checkpoint.6c750e24-bbc4-4618-8feb-7cd7d5b9e084.parquet')).toMatchObject({ type: 'uuidCheckpoint', format: 'parquet' });
    expect(parseLogFileName('00000000000000000003.00000000000000000007.compacted.json')).toEqual({ type: 'compaction', version: 3, endVersion: 7 });
    expect(parseLogFileName('00000000000000000004.crc')).toEqual({ type: 'crc', version: 4 });
    expect(parseLogFileName('_last_checkpoint')).toEqual({ type: 'lastCheckpoint' });
  });

  it('ignores everything else', () => {
    for (const name of [
      '.00000000000000000000.json.crc',
      '.00000000000000000005.checkpoint.0000000001.0000000003.parquet.crc',
      '_commits',
      '_sidecars',
      '.DS_Store',
      '0000000000000000001.json', // 19 digits
      '000000000000000000001.json', // 21 digits
      '00000000000000000001.json.tmp',
      '00000000000000000001.checkpoint.0000000004.0000000003.parquet', // part > numParts
      '00000000000000000001.checkpoint.0000000000.0000000003.parquet', // part 0
      '00000000000000000007.00000000000000000003.compacted.json', // end < start
      '00000000000000000001.checkpoint.not-a-uuid.json',
      '_staged_commits',
    ]) {
      expect(parseLogFileName(name), name).toBeUndefined();
    }
  });

  it('refuses versions beyond 2^53 instead of rounding them', () => {
    expect(parseLogFileName('00009007199254740991.json')).toEqual({ type: 'commit', version: 9007199254740991 });
    let err: unknown;
    try {
      parseLogFileName('00009007199254740993.json');
    } catch (e) {
      err = e;
    }
    expect(isDeltaError(err, 'PRECISION_LOSS')).toBe(true);
  });

  it('formats versions as 20 digits', () => {
    expect(formatVersion(42)).toBe('00000000000000000042');
    expect(parseLogFileName(`${formatVersion(123456789)}.json`)).toEqual({ type: 'commit', version: 123456789 });
  });
});
