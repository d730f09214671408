/**
 * Delta's serialized 64-bit "RoaringBitmapArray". Portable layout (magic 1681511377, all
 * little-endian): magic u32, bucket count u64, then per bucket its high 32 bits (u32) and a
 * standard portable 32-bit roaring bitmap. Legacy native layout (magic 1681511376, big-endian
 * header): magic, count u32, then per bucket (high key = its position) size u32 and a portable
 * 32-bit roaring bitmap.
 *
 * Portable 32-bit roaring: cookie 12346 + container count u32, or (12347 | (count-1) << 16) +
 * run-flag bitset; per container key u16 and cardinality-1 u16; an offset header (u32 per
 * container) for cookie 12346 or when count ≥ 4; then array (u16 values), bitset (1024 u64) or
 * run (u16 run count, then start and length-1 u16 pairs) containers.
 */
import { DeltaError } from '../errors.js';
import { ARRAY_MAX, BITSET_WORDS, DeletedRows, lowsToContainer } from './deleted-rows.js';
import type { Container } from './deleted-rows.js';

export const PORTABLE_MAGIC = 1681511377;
export const NATIVE_MAGIC = 1681511376;
const COOKIE_NO_RUNS = 12346;
const COOKIE_RUNS = 12347;
const NO_OFFSET_THRESHOLD = 4;

class Reader {
  readonly view: DataView;
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length) this.fail(`it ends after ${this.bytes.length} bytes, inside a structure that needs ${n} more at byte ${this.pos}`);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(littleEndian = true): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, littleEndian);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > 0xffffffffn) this.fail(`its bucket count ${v} is impossible`);
    return Number(v);
  }
  fail(why: string): never {
    throw new DeltaError('CORRUPT_DELETION_VECTOR', `Deletion vector ${this.where} is corrupt: ${why}. Restore the file or rewrite the data file without the deletion vector.`, {
      details: { path: this.where },
    });
  }
}

/** Parses a serialized RoaringBitmapArray (either magic). Errors: CORRUPT_DELETION_VECTOR naming `where`. */
export function parseRoaringArray(bytes: Uint8Array, where: string): DeletedRows {
  const r = new Reader(bytes, where);
  const keys: number[] = [];
  const containers: Container[] = [];
  let cardinality = 0;
  const addBucket = (high: number) => {
    if (high > 0x7fffffff) r.fail(`bucket key ${high} has its sign bit set`);
    for (const [low16, c, card] of parseRoaring32(r)) {
      const key = high * 65536 + low16;
      if (keys.length > 0 && key <= keys[keys.length - 1]!) r.fail('its containers are not in ascending order');
      keys.push(key);
      containers.push(c);
      cardinality += card;
    }
  };
  const magicLe = r.u32();
  if (magicLe === PORTABLE_MAGIC) {
    const buckets = r.u64();
    for (let b = 0; b < buckets; b++) addBucket(r.u32());
  } else if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false) === NATIVE_MAGIC) {
    const buckets = r.u32(false);
    for (let b = 0; b < buckets; b++) {
      const size = r.u32(false);
      const end = r.pos + size;
      addBucket(b);
      if (r.pos !== end) r.fail(`bucket ${b} declares ${size} bytes but its bitmap uses ${size + r.pos - end}`);
    }
  } else {
    r.fail(`its magic number ${magicLe} is neither ${PORTABLE_MAGIC} (portable) nor ${NATIVE_MAGIC} (native)`);
  }
  if (r.pos !== bytes.length) r.fail(`${bytes.length - r.pos} bytes follow the bitmap`);
  return new DeletedRows(keys, containers, cardinality);
}

/** One portable 32-bit roaring bitmap at the reader's position: [low16 key, container, cardinality][]. */
function parseRoaring32(r: Reader): Array<[number, Container, number]> {
  const cookie = r.u32();
  let n: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === COOKIE_RUNS) {
    n = (cookie >>> 16) + 1;
    const flagBytes = (n + 7) >>> 3;
    r.need(flagBytes);
    runFlags = r.bytes.subarray(r.pos, r.pos + flagBytes);
    r.pos += flagBytes;
  } else if (cookie === COOKIE_NO_RUNS) {
    n = r.u32();
  } else {
    return r.fail(`a bucket starts with cookie ${cookie}, not a roaring bitmap cookie`);
  }
  if (n > 65536) r.fail(`a bucket claims ${n} containers`);
  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < n; i++) {
    keys.push(r.u16());
    cards.push(r.u16() + 1);
  }
  if (!runFlags || n >= NO_OFFSET_THRESHOLD) {
    r.need(4 * n);
    r.pos += 4 * n; // offsets: containers are read sequentially instead
  }
  const out: Array<[number, Container, number]> = [];
  for (let i = 0; i < n; i++) {
    const card = cards[i]!;
    const isRun = runFlags !== undefined && (runFlags[i >>> 3]! & (1 << (i & 7))) !== 0;
    let c: Container;
    let actual: number;
    if (isRun) [c, actual] = readRuns(r);
    else if (card > ARRAY_MAX) [c, actual] = readBitset(r);
    else [c, actual] = readArray(r, card);
    if (actual !== card) r.fail(`container ${keys[i]} declares ${card} rows but holds ${actual}`);
    if (i > 0 && keys[i]! <= keys[i - 1]!) r.fail('its container keys are not ascending');
    out.push([keys[i]!, c, card]);
  }
  return out;
}

function readArray(r: Reader, card: number): [Container, number] {
  r.need(2 * card);
  const values = new Uint16Array(card);
  for (let i = 0; i < card; i++) {
    values[i] = r.view.getUint16(r.pos, true);
    r.pos += 2;
    if (i > 0 && values[i]! <= values[i - 1]!) r.fail('an array container is not strictly ascending');
  }
  return [values, card];
}

function readBitset(r: Reader): [Container, number] {
  r.need(8 * 1024);
  const words = new Uint32Array(BITSET_WORDS);
  let card = 0;
  for (let w = 0; w < BITSET_WORDS; w++) {
    const v = r.view.getUint32(r.pos, true);
    r.pos += 4;
    words[w] = v;
    card += popcount(v);
  }
  return [words, card];
}

function readRuns(r: Reader): [Container, number] {
  const nRuns = r.u16();
  const lows: number[] = [];
  let last = -1;
  for (let i = 0; i < nRuns; i++) {
    const start = r.u16();
    const len = r.u16() + 1;
    if (start <= last || start + len > 65536) r.fail('a run container has overlapping or out-of-range runs');
    for (let v = start; v < start + len; v++) lows.push(v);
    last = start + len - 1;
  }
  return [lowsToContainer(lows), lows.length];
}

function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Low 16-bit values of a container, ascending. */
function containerValues(c: Container): number[] {
  if (c instanceof Uint16Array) return Array.from(c);
  const out: number[] = [];
  for (let w = 0; w < BITSET_WORDS; w++) for (let b = 0; b < 32; b++) if ((c[w]! >>> b) & 1) out.push(w * 32 + b);
  return out;
}

/** Runs [start, length] of sorted distinct values. */
function toRuns(values: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const v of values) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === v) last[1]++;
    else runs.push([v, 1]);
  }
  return runs;
}

/**
 * Serializes `rows` in the portable RoaringBitmapArray layout (magic included). Each container
 * is written as array, bitset or run, whichever is smallest, as Delta writers do.
 */
export function serializeRoaringArray(rows: DeletedRows): Uint8Array {
  const buckets = new Map<number, Array<[number, number[]]>>();
  for (const [key, c] of rows.entries()) {
    const high = Math.floor(key / 65536);
    let list = buckets.get(high);
    if (!list) buckets.set(high, (list = []));
    list.push([key % 65536, containerValues(c)]);
  }
  const parts: number[] = [];
  const u16 = (v: number) => parts.push(v & 0xff, v >>> 8);
  const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  u32(PORTABLE_MAGIC);
  u32(buckets.size);
  u32(0);
  for (const [high, list] of buckets) {
    u32(high);
    const bodies = list.map(([, values]) => encodeContainer(values));
    const anyRun = bodies.some((b) => b.run);
    const n = list.length;
    if (anyRun) {
      u32(COOKIE_RUNS | ((n - 1) << 16));
      const flags = new Array<number>((n + 7) >>> 3).fill(0);
      bodies.forEach((b, i) => {
        if (b.run) flags[i >>> 3]! |= 1 << (i & 7);
      });
      parts.push(...flags);
    } else {
      u32(COOKIE_NO_RUNS);
      u32(n);
    }
    list.forEach(([low16, values]) => {
      u16(low16);
      u16(values.length - 1);
    });
    if (!anyRun || n >= NO_OFFSET_THRESHOLD) {
      // Offsets are relative to the start of this 32-bit bitmap (the cookie).
      let offset = 4 + (anyRun ? (n + 7) >>> 3 : 4) + 4 * n + 4 * n;
      for (const b of bodies) {
        u32(offset);
        offset += b.bytes.length;
      }
    }
    for (const b of bodies) for (const x of b.bytes) parts.push(x);
  }
  return Uint8Array.from(parts);
}

function encodeContainer(values: number[]): { run: boolean; bytes: number[] } {
  const runs = toRuns(values);
  const runBytes = 2 + 4 * runs.length;
  const plainBytes = values.length > ARRAY_MAX ? 8192 : 2 * values.length;
  const out: number[] = [];
  const u16 = (v: number) => out.push(v & 0xff, v >>> 8);
  if (runBytes < plainBytes) {
    u16(runs.length);
    for (const [s, len] of runs) {
      u16(s);
      u16(len - 1);
    }
    return { run: true, bytes: out };
  }
  if (values.length > ARRAY_MAX) {
    const bits = new Uint8Array(8192);
    for (const v of values) bits[v >>> 3]! |= 1 << (v & 7);
    return { run: false, bytes: Array.from(bits) };
  }
  for (const v of values) u16(v);
  return { run: false, bytes: out };
}
