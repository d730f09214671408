/**
 * The hash index of MERGE's join: source rows keyed by their equi-join key values (the build
 * side, held in memory), probed with target rows. Equal keys chain their rows in ascending order.
 *
 * Key equality is SQL `=` on values of one type (the binder cast both sides to it): a null key
 * matches nothing, except under `<=>` where null matches null; doubles compare as Spark's join
 * does (NaN equals NaN, -0.0 equals 0.0). Single integer-like keys (int, date, long, timestamp)
 * use open addressing over typed arrays; other keys go through a JS Map of normalized values.
 */
import type { Vec } from '@deltakit/core/internal';

/** Candidate pairs of one probe: `target[i]` with `source[i]`, grouped by ascending target row. */
export interface Pairs {
  readonly target: Int32Array;
  readonly source: Int32Array;
  readonly length: number;
}

export interface JoinIndex {
  /** Distinct non-null keys indexed (diagnostics). */
  readonly size: number;
  /** Approximate bytes held by the index. */
  readonly bytes: number;
  /** Pairs of target rows (where `eligible` is 1, or all) with the source rows of equal keys. */
  probe(keys: readonly Vec[], eligible: Uint8Array | null): Pairs;
  /** Builds ahead what probes of ascending batches use (e.g. while the first target file is read); optional work. */
  prepare?(): void;
}

/**
 * Indexes source rows `0..n-1` (where `eligible` is 1, or all) by `keys` (one Vec per key, each of
 * `n` rows); `nullSafe[k]` marks `<=>` keys.
 */
export function buildIndex(keys: readonly Vec[], nullSafe: readonly boolean[], eligible: Uint8Array | null): JoinIndex {
  const n = keys[0]?.length ?? 0;
  if (keys.length === 1 && !keys[0]!.isConstant) {
    const kind = keys[0]!.store().kind;
    if (kind === 'i32') return IntIndex.build(keys[0]!, nullSafe[0]!, eligible, n, 1);
    if (kind === 'i64') return IntIndex.build(keys[0]!, nullSafe[0]!, eligible, n, 2);
  }
  return MapIndex.build(keys, nullSafe, eligible, n);
}

/** Growable pair buffers. */
class PairSink {
  target: Int32Array = new Int32Array(1024);
  source: Int32Array = new Int32Array(1024);
  length = 0;
  push(t: number, s: number): void {
    if (this.length === this.target.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.target = grow(this.target);
      this.source = grow(this.source);
    }
    this.target[this.length] = t;
    this.source[this.length++] = s;
  }
  done(): Pairs {
    return { target: this.target.subarray(0, this.length), source: this.source.subarray(0, this.length), length: this.length };
  }
}

/** 32-bit words of an integer-like key column: one per row (i32) or two (i64, little-endian lo/hi). */
function words(v: Vec, width: 1 | 2): Int32Array {
  if (width === 1) return v.i32();
  const a = v.i64();
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

const hash1 = (x: number, shift: number): number => Math.imul(x, 0x9e3779b1) >>> shift;
/** An independent hash for the Bloom bits (a different multiplier than the slot hashes). */
const bloomHash = (lo: number, hi: number): number => Math.imul(Math.imul(lo, 0xcc9e2d51) ^ Math.imul(hi ^ 0x1b873593, 0x27d4eb2f), 0x165667b1);
const hash2 = (lo: number, hi: number, shift: number): number => Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> shift;

/**
 * One integer-like key (int, date, long, timestamp: `width` 32-bit words per key). Two probes,
 * each structure built on first use: batches whose keys ascend walk the source rows sorted by key
 * (no hashing, cost follows the source keys in the batch's range); other batches go through a
 * hash table.
 */
class IntIndex implements JoinIndex {
  readonly #source: SourceKeys;
  readonly #nullSafe: boolean;
  #hash: HashTable | undefined;

  private constructor(
    private readonly width: 1 | 2,
    source: SourceKeys,
    nullSafe: boolean,
  ) {
    this.#source = source;
    this.#nullSafe = nullSafe;
  }

  static build(key: Vec, nullSafe: boolean, eligible: Uint8Array | null, n: number, width: 1 | 2): IntIndex {
    return new IntIndex(width, { w: words(key, width), valid: key.valid(), eligible, n }, nullSafe);
  }

  prepare(): void {
    this.#sorted ??= sortRows(this.#source, this.width);
  }

  #hashTable(): HashTable {
    return (this.#hash ??= HashTable.build(this.#source, this.#nullSafe, this.width));
  }

  get size(): number {
    if (this.#hash) return this.#hash.size;
    const { rows, keys } = (this.#sorted ??= sortRows(this.#source, this.width));
    let distinct = 0;
    for (let i = 0; i < rows.length; i++) if (i === 0 || lessThan(keys, i - 1, this.width, keys[i * this.width]!, this.width === 2 ? keys[i * 2 + 1]! : 0)) distinct++;
    return distinct;
  }

  get bytes(): number {
    const sorted = this.#sorted ? this.#sorted.rows.byteLength + this.#sorted.keys.byteLength : 0;
    return (this.#hash?.bytes ?? 0) + sorted;
  }

  /** The indexed rows sorted by key (built on the first sorted probe). */
  #sorted: SortedRows | undefined;

  /**
   * Probe of a batch whose keys ascend (a table clustered on the key, the common case for MERGE
   * targets): a walk over the source rows in key order, galloping through the batch, so the cost
   * follows the source keys inside the batch's range rather than the batch's rows.
   */
  #probeSorted(w: Int32Array, n: number, eligible: Uint8Array | null, out: PairSink): Pairs {
    const { rows, keys } = (this.#sorted ??= sortRows(this.#source, this.width));
    const width = this.width;
    const m = rows.length;
    // The first source row whose key is >= the batch's first key (binary search).
    let a = 0;
    let b = m;
    const lo0 = w[0]!;
    const hi0 = width === 2 ? w[1]! : 0;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (lessThan(keys, mid, width, lo0, hi0)) a = mid + 1;
      else b = mid;
    }
    let t = 0;
    while (a < m) {
      const lo = keys[a * width]!;
      const hi = width === 2 ? keys[a * 2 + 1]! : 0;
      t = lowerBound(w, t, n, width, lo, hi);
      if (t === n) break;
      let end = a + 1;
      while (end < m && keys[end * width] === lo && (width === 1 || keys[end * 2 + 1] === hi)) end++;
      for (let tt = t; tt < n && w[tt * width] === lo && (width === 1 || w[tt * 2 + 1] === hi); tt++) {
        if (eligible !== null && eligible[tt] === 0) continue;
        for (let s = a; s < end; s++) out.push(tt, rows[s]!);
      }
      a = end;
    }
    return out.done();
  }

  probe(keys: readonly Vec[], eligible: Uint8Array | null): Pairs {
    const key = keys[0]!;
    const out = new PairSink();
    const n = key.length;
    if (key.isConstant) return this.#hashTable().probeConstant(key.constantValue, n, eligible, out);
    const w = words(key, this.width);
    const valid = key.valid();
    if (valid === null && n > 64 && isSorted(w, this.width, n)) return this.#probeSorted(w, n, eligible, out);
    return this.#hashTable().probe(w, valid, n, eligible, out);
  }
}

/**
 * Open addressing on one integer-like key (`width` 32-bit words). Each slot holds its chain head
 * and key words side by side (`stride` = width + 1 words), so a probe touches one cache line.
 */
class HashTable {
  private constructor(
    private readonly width: 1 | 2,
    private readonly shift: number,
    private readonly mask: number,
    private readonly slots: Int32Array,
    private readonly next: Int32Array,
    /** One bit per (hashed) key, 16 bits per indexed key: most misses stop here, in cache. */
    private readonly bloom: Int32Array,
    private readonly bloomShift: number,
    private readonly nullHead: number,
    private readonly nullSafe: boolean,
    readonly size: number,
  ) {}

  get bytes(): number {
    return this.slots.byteLength + this.next.byteLength + this.bloom.byteLength;
  }

  static build(src: SourceKeys, nullSafe: boolean, width: 1 | 2): HashTable {
    const { w, valid, eligible, n } = src;
    let bloomBits = 10;
    while (1 << bloomBits < n * 16 && bloomBits < 31) bloomBits++;
    const bloom = new Int32Array(1 << (bloomBits - 5));
    const bloomShift = 32 - bloomBits;
    let bits = 4;
    while (1 << bits < n * 2) bits++;
    const cap = 1 << bits;
    const shift = 32 - bits;
    const stride = width + 1;
    const slots = new Int32Array(cap * stride);
    for (let s = 0; s < cap; s++) slots[s * stride] = -1;
    const next = new Int32Array(n).fill(-1);
    let nullHead = -1;
    let size = 0;
    // Rows are inserted last to first and prepended, so every chain lists rows in ascending order.
    for (let i = n - 1; i >= 0; i--) {
      if (eligible !== null && eligible[i] === 0) continue;
      if (valid !== null && valid[i] === 0) {
        if (nullSafe) {
          next[i] = nullHead;
          nullHead = i;
        }
        continue;
      }
      const lo = w[i * width]!;
      const hi = width === 2 ? w[i * 2 + 1]! : 0;
      const b = bloomHash(lo, hi) >>> bloomShift;
      bloom[b >>> 5]! |= 1 << (b & 31);
      let s = width === 1 ? hash1(lo, shift) : hash2(lo, hi, shift);
      for (;;) {
        const at = s * stride;
        const head = slots[at]!;
        if (head === -1) {
          slots[at] = i;
          slots[at + 1] = lo;
          if (width === 2) slots[at + 2] = hi;
          size++;
          break;
        }
        if (slots[at + 1] === lo && (width === 1 || slots[at + 2] === hi)) {
          next[i] = head;
          slots[at] = i;
          break;
        }
        s = (s + 1) & (cap - 1);
      }
    }
    return new HashTable(width, shift, cap - 1, slots, next, bloom, bloomShift, nullHead, nullSafe, size);
  }

  /** Pairs of a constant key column (a missing column reads as null): only null-safe nulls match. */
  probeConstant(value: unknown, n: number, eligible: Uint8Array | null, out: PairSink): Pairs {
    const next = this.next;
    if (value === null && this.nullSafe) for (let t = 0; t < n; t++) if (eligible === null || eligible[t]) for (let s = this.nullHead; s !== -1; s = next[s]!) out.push(t, s);
    return out.done();
  }

  probe(w: Int32Array, valid: Uint8Array | null, n: number, eligible: Uint8Array | null, out: PairSink): Pairs {
    const next = this.next;
    const { shift, mask, slots, bloom, bloomShift } = this;
    if (this.width === 2 && valid === null && eligible === null) {
      // The common case (a non-null long key): the tightest loop.
      for (let t = 0; t < n; t++) {
        const lo = w[2 * t]!;
        const hi = w[2 * t + 1]!;
        const b = bloomHash(lo, hi) >>> bloomShift;
        if ((bloom[b >>> 5]! & (1 << (b & 31))) === 0) continue;
        let s = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> shift;
        for (;;) {
          const at = s * 3;
          const head = slots[at]!;
          if (head === -1) break;
          if (slots[at + 1] === lo && slots[at + 2] === hi) {
            for (let r = head; r !== -1; r = next[r]!) out.push(t, r);
            break;
          }
          s = (s + 1) & mask;
        }
      }
      return out.done();
    }
    const width = this.width;
    const stride = width + 1;
    for (let t = 0; t < n; t++) {
      if (eligible !== null && eligible[t] === 0) continue;
      if (valid !== null && valid[t] === 0) {
        if (this.nullSafe) for (let r = this.nullHead; r !== -1; r = next[r]!) out.push(t, r);
        continue;
      }
      const lo = w[t * width]!;
      const hi = width === 2 ? w[t * 2 + 1]! : 0;
      const b = bloomHash(lo, hi) >>> bloomShift;
      if ((bloom[b >>> 5]! & (1 << (b & 31))) === 0) continue;
      let s = width === 1 ? hash1(lo, shift) : hash2(lo, hi, shift);
      for (;;) {
        const at = s * stride;
        const head = slots[at]!;
        if (head === -1) break;
        if (slots[at + 1] === lo && (width === 1 || slots[at + 2] === hi)) {
          for (let r = head; r !== -1; r = next[r]!) out.push(t, r);
          break;
        }
        s = (s + 1) & mask;
      }
    }
    return out.done();
  }
}

/** Whether the first `n` keys (of `width` words) ascend (signed 64- or 32-bit order). */
function isSorted(w: Int32Array, width: 1 | 2, n: number): boolean {
  if (width === 1) {
    for (let i = 1; i < n; i++) if (w[i]! < w[i - 1]!) return false;
    return true;
  }
  // Fast loop while every high word equals the first (keys within one 2^32 range, the usual
  // case): only the low words are compared, unsigned (flipping the sign bit keeps them int32).
  const h0 = w[1]!;
  let prev = w[0]! ^ 0x80000000;
  let k = 1;
  for (; k < n; k++) {
    const lo = w[2 * k]! ^ 0x80000000;
    if (w[2 * k + 1] !== h0 || lo < prev) break;
    prev = lo;
  }
  if (k === n) return true;
  let ph = w[1]!;
  let pl = w[0]! >>> 0;
  for (let i = 1; i < n; i++) {
    const h = w[2 * i + 1]!;
    const l = w[2 * i]! >>> 0;
    if (h < ph || (h === ph && l < pl)) return false;
    ph = h;
    pl = l;
  }
  return true;
}

/** Key `i` of `w` (`width` words per key, little-endian lo/hi) < the key (`lo`, `hi`), signed order. */
function lessThan(w: Int32Array, i: number, width: 1 | 2, lo: number, hi: number): boolean {
  if (width === 1) return w[i]! < lo;
  const h = w[i * 2 + 1]!;
  return h < hi || (h === hi && w[i * 2]! >>> 0 < lo >>> 0);
}

/** The first index in `from..n-1` whose key is >= (`lo`, `hi`) in ascending `w` (galloping), or `n`. */
function lowerBound(w: Int32Array, from: number, n: number, width: 1 | 2, lo: number, hi: number): number {
  if (from >= n || !lessThan(w, from, width, lo, hi)) return from;
  // w[from] < key: double the step until w[from + step] >= key, then binary search.
  let prev = from;
  let step = 1;
  while (from + step < n && lessThan(w, from + step, width, lo, hi)) {
    prev = from + step;
    step *= 2;
  }
  let a = prev + 1;
  let b = Math.min(from + step, n);
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (lessThan(w, mid, width, lo, hi)) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** Indexed source rows in ascending key order (stable: equal keys keep ascending rows) and their keys. */
interface SortedRows {
  readonly rows: Int32Array;
  /** `width` words per entry of `rows`. */
  readonly keys: Int32Array;
}

/** The source key words and which rows the index holds. */
interface SourceKeys {
  readonly w: Int32Array;
  readonly valid: Uint8Array | null;
  readonly eligible: Uint8Array | null;
  readonly n: number;
}

/**
 * LSD radix sort (16-bit digits, stable) of the indexed rows (eligible, non-null keys) by key in
 * signed order; passes whose digit is the same for every row are skipped.
 */
function sortRows(src: SourceKeys, width: 1 | 2): SortedRows {
  const { w, valid, eligible, n } = src;
  let rows = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if ((eligible === null || eligible[i] !== 0) && (valid === null || valid[i] !== 0)) rows[m++] = i;
  rows = rows.subarray(0, m);
  let tmp = new Int32Array(m);
  const counts = new Int32Array(65536);
  for (let pass = 0; pass < width * 2; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    // The top digit is the sign: flipping its high bit orders negative keys first.
    const flip = pass === width * 2 - 1 ? 0x8000 : 0;
    counts.fill(0);
    for (let i = 0; i < m; i++) counts[(((w[rows[i]! * width + word]! >>> shift) & 0xffff) ^ flip)]!++;
    if (m > 0 && counts[(((w[rows[0]! * width + word]! >>> shift) & 0xffff) ^ flip)] === m) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const r = rows[i]!;
      tmp[counts[((w[r * width + word]! >>> shift) & 0xffff) ^ flip]!++] = r;
    }
    const swap = rows;
    rows = tmp;
    tmp = swap;
  }
  const keys = new Int32Array(m * width);
  for (let i = 0; i < m; i++) {
    const r = rows[i]!;
    keys[i * width] = w[r * width]!;
    if (width === 2) keys[i * 2 + 1] = w[r * 2 + 1]!;
  }
  return { rows, keys };
}

type MapKey = string | number | bigint | symbol;

/** The key of a null under `<=>` (a symbol: it equals no data value). */
const NULL_KEY: unique symbol = Symbol('null');

/** A JS Map from normalized key values to chain heads, for every other key shape. */
class MapIndex implements JoinIndex {
  private constructor(
    private readonly heads: Map<MapKey, number>,
    private readonly next: Int32Array,
    private readonly nullSafe: readonly boolean[],
    private readonly keyBytes: number,
  ) {}

  get size(): number {
    return this.heads.size;
  }

  get bytes(): number {
    return this.keyBytes + this.next.byteLength + this.heads.size * 48;
  }

  static build(keys: readonly Vec[], nullSafe: readonly boolean[], eligible: Uint8Array | null, n: number): MapIndex {
    const enc = encoder(keys, nullSafe);
    const heads = new Map<MapKey, number>();
    const next = new Int32Array(n).fill(-1);
    let keyBytes = 0;
    for (let i = n - 1; i >= 0; i--) {
      if (eligible !== null && eligible[i] === 0) continue;
      const k = enc(i);
      if (k === undefined) continue;
      const head = heads.get(k);
      if (head === undefined) keyBytes += typeof k === 'string' ? 2 * k.length + 16 : 16;
      else next[i] = head;
      heads.set(k, i);
    }
    return new MapIndex(heads, next, nullSafe, keyBytes);
  }

  probe(keys: readonly Vec[], eligible: Uint8Array | null): Pairs {
    const enc = encoder(keys, this.nullSafe);
    const out = new PairSink();
    const n = keys[0]?.length ?? 0;
    for (let t = 0; t < n; t++) {
      if (eligible !== null && eligible[t] === 0) continue;
      const k = enc(t);
      if (k === undefined) continue;
      for (let s = this.heads.get(k) ?? -1; s !== -1; s = this.next[s]!) out.push(t, s);
    }
    return out.done();
  }
}

/**
 * Row `i` → a Map key equal for equal SQL keys, or undefined when a null makes the row match
 * nothing. One key keeps its primitive value (number, bigint, string); several are joined into
 * one length-prefixed string.
 */
function encoder(keys: readonly Vec[], nullSafe: readonly boolean[]): (i: number) => MapKey | undefined {
  const parts = keys.map((v, k) => part(v, nullSafe[k]!));
  if (parts.length === 1) return parts[0]!;
  return (i) => {
    let s = '';
    for (const p of parts) {
      const x = p(i);
      if (x === undefined) return undefined;
      if (x === NULL_KEY) {
        s += 'N;';
        continue;
      }
      const t = typeof x === 'string' ? x : typeof x === 'bigint' ? `${x}n` : String(x);
      s += `${t.length}:${t}`;
    }
    return s;
  };
}

function part(v: Vec, nullSafe: boolean): (i: number) => MapKey | undefined {
  const valid = v.valid();
  const isNull = v.isConstant ? () => v.constantValue === null : (i: number) => valid !== null && valid[i] === 0;
  const s = v.store();
  const at = v.isConstant ? () => 0 : (i: number) => i;
  let value: (i: number) => MapKey;
  switch (s.kind) {
    case 'i32':
      value = (i) => s.values[at(i)]!;
      break;
    case 'f64':
      // Map keys compare with SameValueZero: NaN equals NaN and -0 equals 0, as Spark's join keys.
      value = (i) => s.values[at(i)]!;
      break;
    case 'i64':
      value = (i) => s.values[at(i)]!;
      break;
    case 'dec':
      value = (i) => s.values[at(i)]!;
      break;
    case 'bool':
      value = (i) => s.values[at(i)]!;
      break;
    case 'tri':
      value = (i) => s.codes[at(i)]!;
      break;
    case 'str':
      value = (i) => s.values[at(i)]!;
      break;
    case 'bin':
      value = (i) => latin1(s.values[at(i)]!);
      break;
    default:
      value = (i) => JSON.stringify(v.get(at(i)), (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? latin1(x) : x));
  }
  return (i) => (isNull(i) ? (nullSafe ? NULL_KEY : undefined) : value(i));
}

function latin1(b: Uint8Array): string {
  let s = '\u0001';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
