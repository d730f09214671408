/**
 * Hash functions. Expected values: Spark's HashExpressionsSuite, Murmur3_x86_32Suite,
 * XXH64Suite and documented examples, and hashes generated with Spark for the Comet/DataFusion
 * Spark-compatible hashers (byte, int, long, string and array inputs). md5/sha1/sha256 are
 * compared with DuckDB over generated inputs and crc32 with Node's zlib.crc32 (independent
 * implementations). DuckDB's `hash` is a different function and is not compared; the per-type
 * rules of `hash`/`xxhash64` (how each type is fed to the hasher, documented in Spark's
 * HashExpression) are checked as relations between types.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { duckRows, lit as sqlLit } from '../../parquet/duckdb-oracle.js';
import {
  BINARY,
  BYTE,
  DOUBLE,
  FLOAT,
  INT,
  LONG,
  STRING,
  arr,
  bin,
  bool,
  byte,
  date,
  dbl,
  dec,
  errorCode,
  ev,
  evalColumns,
  evalFn,
  flt,
  int,
  long,
  murmur3Int,
  murmur3Long,
  nul,
  randomStrings,
  resultBigInt,
  rng,
  str,
  ts,
  typedNull,
  xxhashBytes,
  xxhashInt,
  xxhashLong,
  type DataType,
  type Value,
} from '../function-helpers.js';

const enc = (s: string) => Array.from(new TextEncoder().encode(s));
const words = (v: bigint) => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))] as const;

describe('digests and crc32 (HashExpressionsSuite, docs)', () => {
  it('md5, sha1/sha, sha2, crc32', () => {
    expect(ev('md5', str('Spark'))).toBe('8cde774d6f7333752ed72cacddb05126');
    expect(ev('md5', bin(enc('ABC')))).toBe('902fbdd2b1df0c4f70b4a5d23525e932');
    expect(ev('md5', bin([1, 2, 3, 4, 5, 6]))).toBe('6ac1e56bc78f031059be7be854522c4c');
    expect(ev('md5', typedNull(BINARY))).toBe(null);
    expect(ev('sha1', str('Spark'))).toBe('85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c');
    expect(ev('sha', str('Spark'))).toBe('85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c');
    expect(ev('sha1', bin(enc('ABC')))).toBe('3c01bdbb26f358bab27f267924aa2c9a03fcfdb8');
    expect(ev('sha1', bin([1, 2, 3, 4, 5, 6]))).toBe('5d211bad8f4ee70e16c7d343a838fc344a1ed961');
    expect(ev('sha1', bin([]))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(ev('sha2', str('Spark'), int(256))).toBe('529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b');
    expect(ev('sha2', bin(enc('ABC')), int(224))).toBe('107c5072b799c4771f328304cfe1ebb375eb6ea7f35a3aa753836fad');
    expect(ev('sha2', bin(enc('ABC')), int(0))).toBe('b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78');
    expect(ev('sha2', bin([1, 2, 3, 4, 5, 6]), int(384))).toBe('557cfe660c753b830efa61528fc350ef384a7a4b9d3467c6230049bc59548eb8a404874baff89cb0f9bd18400829fdc2');
    expect(ev('sha2', bin(enc('ABC')), int(512))).toBe('397118fdac8d83ad98813c50759c85b8c47565d8268bf10da483153b747a74743a58a90e85aa9f705ce6984ffc128db567489817e4092d050d8a1cc596ddc119');
    expect(ev('sha2', bin(enc('ABC')), int(1024))).toBe(null);
    expect(ev('sha2', bin(enc('ABC')), typedNull(INT))).toBe(null);
    expect(ev('crc32', bin(enc('ABC')))).toBe(2743272264n);
    expect(ev('crc32', bin([1, 2, 3, 4, 5, 6]))).toBe(2180413220n);
    expect(ev('crc32', str('Spark'))).toBe(1557323817n);
    expect(ev('crc32', typedNull(BINARY))).toBe(null);
    expect(errorCode(() => evalFn('md5', int(1)))).toBe('TYPE_MISMATCH');
  });

  it('agree with DuckDB (md5, sha1, sha256) and zlib (crc32) on generated strings and bytes', async () => {
    const strings = [...randomStrings(200, 21), '', "quote'd"];
    const sql = strings.map((s, i) => `(${i}, ${sqlLit(s)})`).join(',');
    const duck = await duckRows(`SELECT md5(s) AS m, sha1(s) AS s1, sha256(s) AS s2 FROM (VALUES ${sql}) t(i, s) ORDER BY i`);
    const col = [{ type: STRING, values: strings }];
    expect(evalColumns('md5', col)).toEqual(duck.map((r) => r['m']));
    expect(evalColumns('sha1', col)).toEqual(duck.map((r) => r['s1']));
    expect(evalColumns('sha2', [...col, { literal: int(256) }])).toEqual(duck.map((r) => r['s2']));
    const r = rng(5);
    const blobs = Array.from({ length: 200 }, () => Uint8Array.from({ length: Math.floor(r() * 70) }, () => Math.floor(r() * 256)));
    expect(evalColumns('crc32', [{ type: BINARY, values: blobs }])).toEqual(blobs.map((b) => BigInt(zlibCrc32(b))));
    expect(evalColumns('crc32', col)).toEqual(strings.map((s) => BigInt(zlibCrc32(new TextEncoder().encode(s)))));
  });
});

describe('hash primitives (Murmur3_x86_32Suite, XXH64Suite, HashExpressionsSuite)', () => {
  it('Murmur3 ints and longs with seed 0, and interval-typed values with seed 10', () => {
    expect([0, -42, 42, -2147483648, 2147483647].map((v) => murmur3Int(v, 0))).toEqual([593689054, -189366624, -1134849565, -1718298732, -1653689534]);
    expect([0n, -42n, 42n, -(2n ** 63n), 2n ** 63n - 1n].map((v) => murmur3Long(...words(v), 0))).toEqual([1669671676, -846261623, 1871679806, 1366273829, -2106506049]);
    // SPARK-35113: a day-time interval hashes its microseconds as a long, a year-month one its months as an int
    expect(murmur3Long(...words(1237123123n * 1_000_000n), 10)).toBe(-428664612);
    expect(murmur3Int(1234, 10)).toBe(-686520021);
    xxhashLong(...words(1237123123n * 1_000_000n), 0, 10);
    expect(resultBigInt()).toBe(8228802290839366895n);
    xxhashInt(1234, 0, 10);
    expect(resultBigInt()).toBe(-1774215319882784110n);
  });

  it('XXH64 over the reference buffer, unseeded and seeded with 2654435761', () => {
    const buf = new Uint8Array(101);
    let s = 2654435761n;
    for (let i = 0; i < 101; i++) {
      buf[i] = Number(BigInt.asUintN(8, s >> 24n));
      s = BigInt.asIntN(64, s * s);
    }
    const P: [number, number] = [0, 2654435761];
    const cases: [number, bigint, bigint][] = [
      [0, 0xef46db3751d8e999n, 0xac75fda2929b17efn],
      [1, 0x4fce394cc88952d8n, 0x739840cb819fa723n],
      [4, 0x9256e58aa397aef1n, 0x9d5ffdfb928ab4bn],
      [8, 0xf74cb1451b32b8cfn, 0x9c44b77fbcc302c5n],
      [14, 0xcffa8db881bc3a3dn, 0x5b9611585efcc9cbn],
      [101, 0x0eab543384f878adn, 0xcaa65939306f1e21n],
    ];
    for (const [len, plain, seeded] of cases) {
      xxhashBytes(buf, 0, 0, 0, len);
      expect(resultBigInt(), `len ${len}`).toBe(BigInt.asIntN(64, plain));
      xxhashBytes(buf, ...P, 0, len);
      expect(resultBigInt(), `len ${len} seeded`).toBe(BigInt.asIntN(64, seeded));
    }
    xxhashInt(0x4b1fff9e, 0, 0);
    expect(resultBigInt()).toBe(BigInt.asIntN(64, 0x9256e58aa397aef1n));
    xxhashLong(...words(BigInt.asIntN(64, 0xdd2f535e4b1fff9en)), ...P);
    expect(resultBigInt()).toBe(BigInt.asIntN(64, 0x9c44b77fbcc302c5n));
  });
});

describe('hash and xxhash64 (seed 42)', () => {
  const u32 = (xs: number[]) => xs.map((x) => x | 0);

  it('match Spark-generated values for bytes, ints, longs, strings and arrays, column by column', () => {
    expect(evalColumns('hash', [{ type: BYTE, values: [1, 0, -1, 127, -128] }])).toEqual(u32([0xdea578e3, 0x379fae8f, 0xa0590e3d, 0x43b4d8ed, 0x422a1365]));
    expect(evalColumns('hash', [{ type: INT, values: [1, 0, -1, 2147483647, -2147483648] }])).toEqual(u32([0xdea578e3, 0x379fae8f, 0xa0590e3d, 0x07fb67e7, 0x2b1f0fc6]));
    expect(evalColumns('hash', [{ type: INT, values: [2, 3, 4] }])).toEqual([1765031574, -1823081949, -397064898]);
    const longs = [1n, 0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)];
    expect(evalColumns('hash', [{ type: LONG, values: longs }])).toEqual(u32([0x99f0149d, 0x9c67b85d, 0xc8008529, 0xa05b5d7b, 0xcd1e64fb]));
    expect(evalColumns('xxhash64', [{ type: LONG, values: longs }])).toEqual([-7001672635703045582n, -5252525462095825812n, 3858142552250413010n, -3246596055638297850n, -8619748838626508300n]);
    const strings = ['hello', 'bar', '', '😁', '天地'];
    expect(evalColumns('hash', [{ type: STRING, values: strings }])).toEqual(u32([3286402344, 2486176763, 142593372, 885025535, 2395000894]));
    expect(evalColumns('xxhash64', [{ type: STRING, values: strings }])).toEqual([-4367754540140381902n, -1798770879548125814n, -7444071767201028348n, -6337236088984028203n, -235771157374669727n]);
    expect(evalColumns('hash', [{ type: { kind: 'array', elementType: INT, containsNull: true }, values: [[1, 2], [3, 4, 5], [6]] }])).toEqual([-222940379, -374492525, -331964951]);
  });

  it('match the documented examples over several arguments', () => {
    const args = [str('Spark'), arr(INT, [123]), int(2)];
    expect(ev('hash', ...args)).toBe(-1321691492);
    expect(ev('xxhash64', ...args)).toBe(5602566077635097486n);
  });

  it('feed each type to the hasher as Spark documents', () => {
    const same = (a: Value, b: Value) => expect(a).toEqual(b);
    for (const fn of ['hash', 'xxhash64']) {
      const h = (...a: Parameters<typeof evalFn>[1][]) => evalFn(fn, ...a);
      same(h(nul), h(nul, typedNull(INT)));
      same(h(int(7), typedNull(STRING)), h(int(7)));
      same(h(bool(true)), h(int(1)));
      same(h(bool(false)), h(int(0)));
      same(h(byte(-5)), h(int(-5)));
      same(h(date(19000)), h(int(19000)));
      same(h(ts(1700000000000000n)), h(long(1700000000000000n)));
      same(h(flt(1.5)), h(int(0x3fc00000)));
      same(h(flt(-0.0)), h(flt(0.0)));
      same(h(flt(-0.0)), h(int(0)));
      same(h(flt(NaN)), h(int(0x7fc00000)));
      same(h(dbl(1.5)), h(long(0x3ff8000000000000n)));
      same(h(dbl(-0.0)), h(dbl(0.0)));
      same(h(dbl(-0.0)), h(long(0n)));
      same(h(dbl(NaN)), h(long(0x7ff8000000000000n)));
      same(h(dec('1.23', 10, 2)), h(long(123n)));
      same(h(dec('-1.23', 18, 2)), h(long(-123n)));
      same(h(dec('1', 20, 0)), h(bin([1])));
      // unscaled -10^10: BigInteger.toByteArray is the 5-byte two's complement FD AB F4 1C 00
      same(h(dec('-1', 38, 10)), h(bin([0xfd, 0xab, 0xf4, 0x1c, 0x00])));
      same(h(dec('128', 19, 0)), h(bin([0, 128])));
      same(h(str('abc')), h(bin(enc('abc'))));
      same(h(arr(INT, [1, 2])), h(int(1), int(2)));
      same(h(arr(INT, [1, null, 2])), h(int(1), int(2)));
      same(h(arr(STRING, [])), h(nul));
    }
    expect(ev('hash', nul)).toBe(42);
    expect(ev('xxhash64', nul)).toBe(42n);
  });

  it('structs fold their fields; nested values and nulls hash per row in columns', () => {
    const st: DataType = { kind: 'struct', fields: [{ name: 'a', type: INT, nullable: true, metadata: {} }, { name: 's', type: STRING, nullable: true, metadata: {} }] };
    const rows = evalColumns('hash', [{ type: st, values: [{ kind: 'struct', values: [1, 'x'] }, { kind: 'struct', values: [null, 'x'] }, null] }]);
    expect(rows).toEqual([evalFn('hash', int(1), str('x')), evalFn('hash', str('x')), 42]);
    const mixed = evalColumns('xxhash64', [
      { type: INT, values: [1, null, 3] },
      { type: DOUBLE, values: [null, 2.5, -0.0] },
      { type: FLOAT, values: [Math.fround(1.25), null, 0] },
    ]);
    expect(mixed).toEqual([evalFn('xxhash64', int(1), flt(1.25)), evalFn('xxhash64', dbl(2.5)), evalFn('xxhash64', int(3), dbl(0), flt(0))]);
  });

  it('columns read from Arrow (hashed on their stored bytes) agree with per-value hashing, nulls and long values included', () => {
    const strings: (string | null)[] = [...randomStrings(40, 11), 'x'.repeat(33), 'é'.repeat(40), ''].map((s, i) => (i % 7 === 3 ? null : s));
    const blobs = strings.map((s) => (s === null ? null : new TextEncoder().encode(`${s}!`)));
    for (const name of ['hash', 'xxhash64', 'md5', 'sha1', 'crc32', 'length', 'octet_length']) {
      expect(evalColumns(name, [{ type: STRING, values: strings }]), name).toEqual(strings.map((s) => evalFn(name, s === null ? typedNull(STRING) : str(s))));
      expect(evalColumns(name, [{ type: BINARY, values: blobs }]), `${name} binary`).toEqual(blobs.map((b) => evalFn(name, b === null ? typedNull(BINARY) : bin(b))));
    }
    const both = evalColumns('xxhash64', [{ type: BINARY, values: blobs }, { type: STRING, values: strings }]);
    expect(both).toEqual(strings.map((s, i) => evalFn('xxhash64', blobs[i] === null ? typedNull(BINARY) : bin(blobs[i]!), s === null ? typedNull(STRING) : str(s))));
    const bits = strings.map((_, i) => [256, 0, 224, 384, 512, 1, null][i % 7]!);
    expect(evalColumns('sha2', [{ type: STRING, values: strings }, { type: INT, values: bits }])).toEqual(strings.map((s, i) => evalFn('sha2', s === null ? typedNull(STRING) : str(s), bits[i] === null ? typedNull(INT) : int(bits[i]!))));
  });

  it('refuses maps, as Spark does', () => {
    const m: DataType = { kind: 'map', keyType: STRING, valueType: INT, valueContainsNull: true };
    expect(errorCode(() => evalFn('hash', { type: m, value: { kind: 'map', keys: ['a'], values: [1] } }))).toBe('TYPE_MISMATCH');
    expect(errorCode(() => evalFn('xxhash64', arr(m, [])))).toBe('TYPE_MISMATCH');
    expect(errorCode(() => evalFn('hash'))).toBe('WRONG_ARGUMENT_COUNT');
  });
});
