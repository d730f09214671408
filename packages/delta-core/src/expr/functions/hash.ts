/**
 * Hash functions with Spark's exact results: md5, sha1/sha, sha2 (224/256/384/512, 0 = 256,
 * other lengths null) and crc32 over binary (strings as UTF-8); `hash` (Murmur3 x86_32, seed 42)
 * and `xxhash64` (XXH64, seed 42) over any arguments, folding each argument into the running
 * seed as Spark's HashExpression does: null leaves the seed; booleans as ints 1/0; byte, short,
 * int and date as ints; long and timestamps as longs; float/double by their IEEE bits with -0.0
 * as 0 and NaN canonical; decimals by their unscaled long when precision <= 18, else by the bytes
 * of the unscaled BigInteger; strings by their UTF-8 bytes; binary by its bytes; arrays and
 * structs element by element. Maps are refused, as in Spark. Atomic columns are hashed with
 * typed-array loops; nested ones value by value.
 */
import * as crypto from 'node:crypto';
import type { DataType } from '../../schema/types.js';
import type { DecimalValue } from '../scalar.js';
import { BINARY, INT, LONG, STRING, isString, isVoid } from '../type-rules.js';
import type { BoundFunction, EvalContext, TypedExpr } from '../typed.js';
import { isStructValue, type Value } from '../value.js';
import { Vec } from '../vector.js';
import { coerceArg, containsMap, describeType } from './coerce.js';
import type { FunctionBindContext, FunctionDef } from './function.js';
import { VecBuilder } from './kernels.js';
import { rawBytes } from './text.js';
import { murmur3Bytes, murmur3Int, murmur3Long } from './murmur3.js';
import { resultHi, resultLo, xxhashBytes, xxhashInt, xxhashLong } from './xxhash64.js';

// ---- digests ---------------------------------------------------------------------------------

type Digest = (b: Uint8Array) => string;
// One-shot `crypto.hash` (Node >= 20.12) is cheaper per row than createHash; both give the same hex.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
const digest = (algorithm: string): Digest => (oneShot ? (b) => oneShot(algorithm, b, 'hex') : (b) => crypto.createHash(algorithm).update(b).digest('hex'));

/** A string argument stays a string (its UTF-8 bytes are hashed); anything else becomes binary. */
const bytesArg = (ctx: FunctionBindContext, arg: TypedExpr): TypedExpr => (isString(arg.type) ? arg : coerceArg(ctx, arg, 1, BINARY));

const digestEncoder = new TextEncoder();

/**
 * Calls `f(bytes, i)` for every non-null row of a string or binary Vec: Arrow-backed columns
 * pass views of their stored bytes, strings are encoded to UTF-8 (the cast Spark inserts).
 */
function forEachBytes(v: Vec, n: number, f: (b: Uint8Array, i: number) => void): void {
  const valid = v.valid();
  const raw = rawBytes(v);
  if (raw) {
    const { offsets, data } = raw;
    for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) f(data.subarray(Number(offsets[i]!), Number(offsets[i + 1]!)), i);
    return;
  }
  if (v.isConstant && v.constantValue === null) return;
  if (isString(v.type)) {
    const xs = v.str();
    for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) f(digestEncoder.encode(xs[i]!), i);
    return;
  }
  if (isVoid(v.type)) return;
  const xs = v.bin();
  for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) f(xs[i]!, i);
}

/** A kernel applying `f` to the bytes of the first argument; null in, null out. */
function bytesKernel(type: DataType, f: (b: Uint8Array, i: number, vs: readonly Vec[]) => Value): BoundFunction {
  return {
    eval(vs, c) {
      const out = new VecBuilder(type, c.length);
      const seen = new Uint8Array(c.length);
      forEachBytes(vs[0]!, c.length, (b, i) => {
        seen[i] = 1;
        out.set(i, f(b, i, vs));
      });
      for (let i = 0; i < c.length; i++) if (!seen[i]) out.setNull(i);
      return out.finish();
    },
  };
}

function digestDef(name: string, aliases: readonly string[], algorithm: string): FunctionDef {
  const f = digest(algorithm);
  return {
    name,
    aliases,
    arity: [1, 1],
    signature: `${name}(expr)`,
    bind(args, ctx) {
      return { type: STRING, args: [bytesArg(ctx, args[0]!)], fn: bytesKernel(STRING, (b) => f(b)) };
    },
  };
}

const SHA2: Readonly<Record<number, Digest>> = { 0: digest('sha256'), 224: digest('sha224'), 256: digest('sha256'), 384: digest('sha384'), 512: digest('sha512') };

const sha2Def: FunctionDef = {
  name: 'sha2',
  arity: [2, 2],
  signature: 'sha2(expr, bitLength)',
  bind(args, ctx) {
    const cast = [bytesArg(ctx, args[0]!), coerceArg(ctx, args[1]!, 2, INT)];
    return {
      type: STRING,
      args: cast,
      fn: bytesKernel(STRING, (b, i, vs) => {
        const bits = vs[1]!.get(i);
        return bits === null ? null : (SHA2[bits as number]?.(b) ?? null);
      }),
    };
  },
};

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as java.util.zip.CRC32), unsigned. */
export function crc32(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const crc32Def: FunctionDef = {
  name: 'crc32',
  arity: [1, 1],
  signature: 'crc32(expr)',
  bind(args, ctx) {
    return { type: LONG, args: [bytesArg(ctx, args[0]!)], fn: bytesKernel(LONG, (b) => BigInt(crc32(b))) };
  },
};

// ---- Spark's per-type hashing ------------------------------------------------------------------

/** Java's `BigInteger.toByteArray`: minimal big-endian two's complement. */
export function bigIntBytes(v: bigint): Uint8Array {
  const bitLength = v === 0n || v === -1n ? 0 : (v >= 0n ? v : -v - 1n).toString(2).length;
  const len = Math.floor(bitLength / 8) + 1;
  const hex = BigInt.asUintN(len * 8, v).toString(16).padStart(len * 2, '0');
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);
const f32 = new Float32Array(1);
const f32Bits = new Int32Array(f32.buffer);

/** Java's `floatToIntBits` (NaN canonical) with -0.0 hashed as 0, as Spark does. */
function floatBits(x: number): number {
  if (x === 0) return 0;
  if (Number.isNaN(x)) return 0x7fc00000;
  f32[0] = x;
  return f32Bits[0]!;
}

/** Java's `doubleToLongBits` words [lo, hi] (NaN canonical), -0.0 as 0. */
function doubleWords(x: number): [number, number] {
  if (x === 0) return [0, 0];
  if (Number.isNaN(x)) return [0, 0x7ff80000];
  f64[0] = x;
  return [f64Words[0]!, f64Words[1]!];
}

const longWords = (v: bigint): [number, number] => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** UTF-8 bytes of `s` in a reused buffer (valid until the next call) and their count. */
function utf8(s: string): number {
  if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3 + 64);
  return encoder.encodeInto(s, scratch).written;
}

/** The operations one hash family needs; seeds and results are opaque state objects per row. */
interface Family<S> {
  int(v: number, seed: S): S;
  long(lo: number, hi: number, seed: S): S;
  bytes(b: Uint8Array, seed: S, length?: number): S;
}

const MURMUR: Family<number> = {
  int: murmur3Int,
  long: murmur3Long,
  bytes: (b, seed, length = b.length) => murmur3Bytes(b, seed, 0, length),
};

type Pair = readonly [number, number];
const XX: Family<Pair> = {
  int: (v, [h, l]) => (xxhashInt(v, h, l), [resultHi(), resultLo()]),
  long: (lo, hi, [h, l]) => (xxhashLong(lo, hi, h, l), [resultHi(), resultLo()]),
  bytes: (b, [h, l], length = b.length) => (xxhashBytes(b, h, l, 0, length), [resultHi(), resultLo()]),
};

/** Hash of one non-null value of `type` folded into `seed` (Spark's `InterpretedHashFunction.hash`). */
function hashValue<S>(f: Family<S>, v: Value, type: DataType, seed: S): S {
  if (v === null) return seed;
  if (type.kind === 'decimal') {
    const u = (v as DecimalValue).unscaled;
    return type.precision <= 18 ? f.long(...longWords(u), seed) : f.bytes(bigIntBytes(u), seed);
  }
  if (type.kind === 'array') {
    let s = seed;
    for (const x of v as readonly Value[]) s = hashValue(f, x, type.elementType, s);
    return s;
  }
  if (type.kind === 'struct') {
    let s = seed;
    const values = isStructValue(v) ? v.values : [];
    type.fields.forEach((fd, k) => (s = hashValue(f, values[k] ?? null, fd.type, s)));
    return s;
  }
  if (type.kind === 'map') return seed;
  switch (type.name) {
    case 'boolean':
      return f.int(v ? 1 : 0, seed);
    case 'byte':
    case 'short':
    case 'integer':
    case 'date':
      return f.int(v as number, seed);
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return f.long(...longWords(v as bigint), seed);
    case 'float':
      return f.int(floatBits(v as number), seed);
    case 'double':
      return f.long(...doubleWords(v as number), seed);
    case 'string': {
      const len = utf8(v as string);
      return f.bytes(scratch, seed, len);
    }
    case 'binary':
      return f.bytes(v as Uint8Array, seed);
    default:
      return seed;
  }
}

/** Folds every row of `v` into the Murmur3 seeds (typed loops for atomic columns). */
function murmurColumn(seeds: Int32Array, v: Vec): void {
  const n = seeds.length;
  const valid = v.valid();
  const t = v.type;
  const ok = (i: number): boolean => valid === null || valid[i] === 1;
  if (v.isConstant && v.constantValue === null) return;
  if (t.kind === 'primitive') {
    switch (t.name) {
      case 'byte':
      case 'short':
      case 'integer':
      case 'date': {
        const xs = v.i32();
        for (let i = 0; i < n; i++) if (ok(i)) seeds[i] = murmur3Int(xs[i]!, seeds[i]!);
        return;
      }
      case 'long':
      case 'timestamp':
      case 'timestamp_ntz': {
        const xs = v.i64();
        const w = new Int32Array(xs.buffer, xs.byteOffset, xs.length * 2);
        for (let i = 0; i < n; i++) if (ok(i)) seeds[i] = murmur3Long(w[2 * i]!, w[2 * i + 1]!, seeds[i]!);
        return;
      }
      case 'double': {
        const xs = v.f64();
        for (let i = 0; i < n; i++) if (ok(i)) seeds[i] = murmur3Long(...doubleWords(xs[i]!), seeds[i]!);
        return;
      }
      case 'string':
      case 'binary': {
        const raw = rawBytes(v);
        if (raw) {
          // Arrow-backed: hash the stored UTF-8 / binary bytes in place.
          const { offsets, data } = raw;
          for (let i = 0; i < n; i++) {
            if (!ok(i)) continue;
            const start = Number(offsets[i]!);
            seeds[i] = murmur3Bytes(data, seeds[i]!, start, Number(offsets[i + 1]!) - start);
          }
          return;
        }
        if (t.name === 'string') {
          const xs = v.str();
          for (let i = 0; i < n; i++) {
            if (!ok(i)) continue;
            const len = utf8(xs[i]!);
            seeds[i] = murmur3Bytes(scratch, seeds[i]!, 0, len);
          }
          return;
        }
        const xs = v.bin();
        for (let i = 0; i < n; i++) if (ok(i)) seeds[i] = murmur3Bytes(xs[i]!, seeds[i]!);
        return;
      }
      case 'void':
        return;
    }
  }
  for (let i = 0; i < n; i++) seeds[i] = hashValue(MURMUR, v.get(i), t, seeds[i]!);
}

/** Folds every row of `v` into the XXH64 seeds held as high/low words. */
function xxColumn(hi: Int32Array, lo: Int32Array, v: Vec): void {
  const n = hi.length;
  const valid = v.valid();
  const t = v.type;
  const ok = (i: number): boolean => valid === null || valid[i] === 1;
  if (v.isConstant && v.constantValue === null) return;
  const keep = (i: number): void => {
    hi[i] = resultHi();
    lo[i] = resultLo();
  };
  if (t.kind === 'primitive') {
    switch (t.name) {
      case 'byte':
      case 'short':
      case 'integer':
      case 'date': {
        const xs = v.i32();
        for (let i = 0; i < n; i++) {
          if (!ok(i)) continue;
          xxhashInt(xs[i]!, hi[i]!, lo[i]!);
          keep(i);
        }
        return;
      }
      case 'long':
      case 'timestamp':
      case 'timestamp_ntz': {
        const xs = v.i64();
        const w = new Int32Array(xs.buffer, xs.byteOffset, xs.length * 2);
        for (let i = 0; i < n; i++) {
          if (!ok(i)) continue;
          xxhashLong(w[2 * i]!, w[2 * i + 1]!, hi[i]!, lo[i]!);
          keep(i);
        }
        return;
      }
      case 'string':
      case 'binary': {
        const raw = rawBytes(v);
        if (raw) {
          const { offsets, data } = raw;
          for (let i = 0; i < n; i++) {
            if (!ok(i)) continue;
            const start = Number(offsets[i]!);
            xxhashBytes(data, hi[i]!, lo[i]!, start, Number(offsets[i + 1]!) - start);
            keep(i);
          }
          return;
        }
        if (t.name === 'binary') break;
        const xs = v.str();
        for (let i = 0; i < n; i++) {
          if (!ok(i)) continue;
          const len = utf8(xs[i]!);
          xxhashBytes(scratch, hi[i]!, lo[i]!, 0, len);
          keep(i);
        }
        return;
      }
      case 'void':
        return;
    }
  }
  for (let i = 0; i < n; i++) {
    const [h, l] = hashValue(XX, v.get(i), t, [hi[i]!, lo[i]!] as Pair);
    hi[i] = h;
    lo[i] = l;
  }
}

function hashDef(name: string, family: 'murmur3' | 'xxhash64'): FunctionDef {
  return {
    name,
    arity: [1, Infinity],
    signature: `${name}(expr1, expr2, ...)`,
    bind(args, ctx) {
      const bad = args.find((a) => containsMap(a.type));
      if (bad) ctx.error(`${name} cannot hash ${describeType(bad.type)} values (maps have no defined order), as in Spark. Hash map_entries or sorted keys instead`);
      const type = family === 'murmur3' ? INT : LONG;
      return {
        type,
        fn: {
          eval(vs: readonly Vec[], c: EvalContext) {
            const n = c.length;
            if (family === 'murmur3') {
              const seeds = new Int32Array(n).fill(42);
              for (const v of vs) murmurColumn(seeds, v);
              return Vec.of(INT, { kind: 'i32', values: seeds }, null, n);
            }
            const out = new BigInt64Array(n);
            const words = new Int32Array(out.buffer);
            const hi = new Int32Array(n);
            const lo = new Int32Array(n).fill(42);
            for (const v of vs) xxColumn(hi, lo, v);
            for (let i = 0; i < n; i++) {
              words[2 * i] = lo[i]!;
              words[2 * i + 1] = hi[i]!;
            }
            return Vec.of(LONG, { kind: 'i64', values: out }, null, n);
          },
        },
      };
    },
  };
}

export const HASH_FUNCTIONS: readonly FunctionDef[] = [
  digestDef('md5', [], 'md5'),
  digestDef('sha1', ['sha'], 'sha1'),
  sha2Def,
  crc32Def,
  hashDef('hash', 'murmur3'),
  hashDef('xxhash64', 'xxhash64'),
];

/** Spark's `hash` / `xxhash64` of one row of typed values (for tests and callers outside a batch). */
export function sparkHash(values: readonly { value: Value; type: DataType }[]): { murmur3: number; xxhash64: bigint } {
  let m = 42;
  let x: Pair = [0, 42];
  for (const { value, type } of values) {
    m = hashValue(MURMUR, value, type, m);
    x = hashValue(XX, value, type, x);
  }
  return { murmur3: m, xxhash64: BigInt.asIntN(64, (BigInt(x[0]) << 32n) | BigInt(x[1] >>> 0)) };
}

