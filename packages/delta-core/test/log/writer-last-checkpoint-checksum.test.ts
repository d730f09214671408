import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checksumOfValue, lastCheckpointChecksum, verifyLastCheckpointChecksum, withChecksum } from '../../src/log/last-checkpoint-checksum.js';
import { describeFixtures, FIXTURES } from '../fixtures.js';

describe('lastCheckpointChecksum', () => {
  it('matches the protocol specification vector', () => {
    const doc = '{"k0":"\'v 0\'", "checksum": "adsaskfljadfkjadfkj", "k1":{"k2": 2, "k3": ["v3", [1, 2], {"k4": "v4", "k5": ["v5", "v6", "v7"]}]}}';
    expect(lastCheckpointChecksum(doc)).toBe('6a92d155a59bf2eecbd4b4ec7fd1f875');
  });

  it('ignores key order and whitespace but not number spelling', () => {
    expect(lastCheckpointChecksum('{"a":1,"b":[true,null]}')).toBe(lastCheckpointChecksum('{ "b" : [ true , null ] , "a" : 1 }'));
    expect(lastCheckpointChecksum('{"a":1.0}')).not.toBe(lastCheckpointChecksum('{"a":1}'));
  });

  it('writes a checksum that verifies, with bigints exact', () => {
    const text = withChecksum({ version: 12, size: 7, sizeInBytes: 9007199254740993n, numOfAddFiles: 5, checksum: 'stale' });
    expect(text.startsWith('{"version":12,"size":7,"sizeInBytes":9007199254740993,"numOfAddFiles":5,"checksum":"')).toBe(true);
    expect(verifyLastCheckpointChecksum(text)).toBe(true);
    expect(verifyLastCheckpointChecksum(text.replace('"size":7', '"size":8'))).toBe(false);
    expect(checksumOfValue({ b: 'x y', a: ['é'] })).toBe(lastCheckpointChecksum('{"a":["é"],"b":"x y"}'));
  });
});

describeFixtures('checksums of real _last_checkpoint files', () => {
  const files = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('_delta_log/_last_checkpoint'))
    .map((f) => `${FIXTURES}/${f}`)
    .filter((f) => readFileSync(f, 'utf8').includes('"checksum"'));

  it('finds Spark-written files with checksums, V2 ones included', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files.some((f) => readFileSync(f, 'utf8').includes('"v2Checkpoint"'))).toBe(true);
  });

  it('reproduces every stored checksum', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const stored = /"checksum":"([0-9a-f]{32})"/.exec(text)![1];
      expect(lastCheckpointChecksum(text), f).toBe(stored);
    }
  });
});
