import { describe, expect, it } from 'vitest';
import { decodeOnce, deletionVectorUniqueId, fileActionKey, resolveLogPath } from '../../src/log/paths.js';

describe('resolveLogPath', () => {
  it('joins relative paths with the table root', () => {
    expect(resolveLogPath('/data/t', 'part-0.parquet')).toBe('/data/t/part-0.parquet');
    expect(resolveLogPath('/data/t/', 'p=1/part-0.parquet')).toBe('/data/t/p=1/part-0.parquet');
  });

  it('decodes exactly once', () => {
    expect(resolveLogPath('/t', 'special%20p@%23h')).toBe('/t/special p@#h');
    expect(resolveLogPath('/t', 'part=2020-01-01%2008%253A09%253A10.001/f.parquet')).toBe('/t/part=2020-01-01 08%3A09%3A10.001/f.parquet');
    expect(resolveLogPath('/t', 'a%25b')).toBe('/t/a%b');
    expect(decodeOnce('100%')).toBe('100%');
    expect(decodeOnce('a%zz%20b')).toBe('a%zz b');
  });

  it('maps file:/x, file:///x and /x to the same store path', () => {
    const forms = ['/some/abs/with%20space/p@%23h', 'file:/some/abs/with%20space/p@%23h', 'file:///some/abs/with%20space/p@%23h'];
    const resolved = forms.map((p) => resolveLogPath('/t', p));
    expect(new Set(resolved)).toEqual(new Set(['/some/abs/with space/p@#h']));
  });

  it('normalizes dot segments and doubled slashes', () => {
    expect(resolveLogPath('/a/t/delta', '..//Users/x/foo.parquet')).toBe('/a/t/Users/x/foo.parquet');
  });

  it('keys logical files by path and deletion vector id, never decoding the DV path', () => {
    const dv = { storageType: 'u' as const, pathOrInlineDv: 'ab%20cd', offset: 1, sizeInBytes: 4, cardinality: 1 };
    expect(deletionVectorUniqueId(dv)).toBe('uab%20cd@1');
    expect(deletionVectorUniqueId({ ...dv, storageType: 'i', offset: undefined })).toBe('iab%20cd');
    expect(fileActionKey('/t', 'a', undefined)).not.toBe(fileActionKey('/t', 'a', dv));
    expect(fileActionKey('/t', 'file:/t/a', dv)).toBe(fileActionKey('/t', 'a', dv));
  });
});
