/**
 * The set of deleted row indexes of one data file, held as roaring-style containers: each covers
 * 65 536 consecutive row indexes (container key = row >>> 16 over the full row index) and is
 * either a sorted Uint16Array (≤ 4096 rows) or a 2048-word bitset.
 */

/** A container: sorted low 16 bits, or a bitset of 65 536 bits. */
export type Container = Uint16Array | Uint32Array;

export const BITSET_WORDS = 2048;
/** Containers with more rows than this are bitsets. */
export const ARRAY_MAX = 4096;

const isBitset = (c: Container): c is Uint32Array => c instanceof Uint32Array;

function containerHas(c: Container, low: number): boolean {
  if (isBitset(c)) return (c[low >>> 5]! & (1 << (low & 31))) !== 0;
  let lo = 0;
  let hi = c.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = c[mid]!;
    if (v === low) return true;
    if (v < low) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Deleted row indexes (0-based physical positions in a parquet file).
 * Invariants: `keys` strictly ascending; `containers[i]` non-empty and belongs to `keys[i]`;
 * `cardinality` is the total number of rows.
 */
export class DeletedRows {
  readonly #keys: number[];
  readonly #containers: Container[];
  readonly cardinality: number;

  constructor(keys: number[], containers: Container[], cardinality: number) {
    this.#keys = keys;
    this.#containers = containers;
    this.cardinality = cardinality;
  }

  /** The empty set. */
  static empty(): DeletedRows {
    return new DeletedRows([], [], 0);
  }

  /** Builds the set from row indexes in any order (duplicates ignored). */
  static fromRows(rows: Iterable<number>): DeletedRows {
    const sorted = Float64Array.from(rows).sort();
    const keys: number[] = [];
    const containers: Container[] = [];
    let count = 0;
    let i = 0;
    while (i < sorted.length) {
      const key = Math.floor(sorted[i]! / 65536);
      let j = i;
      const lows: number[] = [];
      while (j < sorted.length && Math.floor(sorted[j]! / 65536) === key) {
        const low = sorted[j]! - key * 65536;
        if (lows.length === 0 || lows[lows.length - 1] !== low) lows.push(low);
        j++;
      }
      keys.push(key);
      containers.push(lowsToContainer(lows));
      count += lows.length;
      i = j;
    }
    return new DeletedRows(keys, containers, count);
  }

  /**
   * Builds the set from a bitmap over row indexes: bit `i & 31` of `words[i >>> 5]` set means row
   * `i` is in the set. Linear in the bitmap's size.
   */
  static fromBitmap(words: Uint32Array): DeletedRows {
    const keys: number[] = [];
    const containers: Container[] = [];
    let count = 0;
    for (let base = 0; base < words.length; base += BITSET_WORDS) {
      const end = Math.min(words.length, base + BITSET_WORDS);
      let card = 0;
      for (let w = base; w < end; w++) if (words[w] !== 0) card += popcount32(words[w]!);
      if (card === 0) continue;
      let c: Container;
      if (card > ARRAY_MAX) {
        c = new Uint32Array(BITSET_WORDS);
        c.set(words.subarray(base, end));
      } else {
        const lows = new Uint16Array(card);
        let k = 0;
        for (let w = base; w < end; w++) {
          let word = words[w]!;
          while (word !== 0) {
            const bit = 31 - Math.clz32(word & -word);
            lows[k++] = (w - base) * 32 + bit;
            word &= word - 1;
          }
        }
        c = lows;
      }
      keys.push(base / BITSET_WORDS);
      containers.push(c);
      count += card;
    }
    return new DeletedRows(keys, containers, count);
  }

  /** True when row `row` is deleted. */
  has(row: number): boolean {
    const c = this.#container(Math.floor(row / 65536));
    return c !== undefined && containerHas(c, row % 65536);
  }

  /**
   * Keep-mask for rows [start, start + count): 1 = keep, 0 = deleted. Null when no row of the
   * range is deleted (keep everything), so callers can skip filtering.
   */
  selectionForRange(start: number, count: number): Uint8Array | null {
    if (count <= 0 || this.cardinality === 0) return null;
    const end = start + count;
    let mask: Uint8Array | null = null;
    for (let key = Math.floor(start / 65536); key * 65536 < end; key++) {
      const c = this.#container(key);
      if (!c) continue;
      const base = key * 65536;
      const lo = Math.max(start, base) - base;
      const hi = Math.min(end, base + 65536) - base;
      if (isBitset(c)) {
        for (let low = lo; low < hi; low++) {
          if ((c[low >>> 5]! & (1 << (low & 31))) !== 0) (mask ??= new Uint8Array(count).fill(1))[base + low - start] = 0;
        }
      } else {
        for (const low of c) {
          if (low < lo) continue;
          if (low >= hi) break;
          (mask ??= new Uint8Array(count).fill(1))[base + low - start] = 0;
        }
      }
    }
    return mask;
  }

  /** Deleted row indexes in ascending order. */
  *rows(): Generator<number> {
    for (let i = 0; i < this.#keys.length; i++) {
      const base = this.#keys[i]! * 65536;
      const c = this.#containers[i]!;
      if (isBitset(c)) {
        for (let w = 0; w < BITSET_WORDS; w++) {
          let word = c[w]!;
          while (word !== 0) {
            const bit = 31 - Math.clz32(word & -word);
            yield base + w * 32 + bit;
            word &= word - 1;
          }
        }
      } else {
        for (const low of c) yield base + low;
      }
    }
  }

  /** The union of two sets (e.g. an existing DV plus newly deleted rows). */
  union(other: DeletedRows): DeletedRows {
    return DeletedRows.fromRows([...this.rows(), ...other.rows()]);
  }

  /** Containers in key order, for serialization. */
  entries(): Array<[key: number, container: Container]> {
    return this.#keys.map((k, i) => [k, this.#containers[i]!]);
  }

  #container(key: number): Container | undefined {
    const keys = this.#keys;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k === key) return this.#containers[mid];
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A container for sorted distinct low-16-bit values. */
export function lowsToContainer(lows: ArrayLike<number>): Container {
  if (lows.length <= ARRAY_MAX) return Uint16Array.from(lows as ArrayLike<number>);
  const bits = new Uint32Array(BITSET_WORDS);
  for (let i = 0; i < lows.length; i++) {
    const v = lows[i]!;
    bits[v >>> 5]! |= 1 << (v & 31);
  }
  return bits;
}
