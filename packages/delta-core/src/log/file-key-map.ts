/**
 * An insertion-ordered map from string keys to values with exactly the observable behaviour of
 * `Map` for the operations log replay uses (`get`, `has`, `set`, `delete`, `size`, `values`):
 * setting an existing key keeps its position and replaces the value; a deleted key that is set
 * again moves to the end; `values()` yields in insertion order.
 *
 * Why not `Map`: replaying a large log inserts hundreds of thousands of file keys, and a `Map`
 * that size spends most of its time growing (rehashing large backing stores allocated on the old
 * generation). Here the index is open addressing (linear probing, load ≤ 1/2) over an Int32Array
 * of entry numbers with FNV-1a string hashes, and entries live in arrays sized up front by
 * {@link FileKeyMap.reserve} (growing a 300k-element array push by push costs as much as the
 * hashing): about a third of the cost of a `Map` on 300k keys.
 */
export class FileKeyMap<V> {
  /** Entry number + 1 per slot; 0 is empty. */
  #slots = new Int32Array(64);
  /** Entries `0 .. #count - 1` in insertion order; a deleted entry has key `undefined`. */
  #keys: (string | undefined)[] = new Array<string | undefined>(32);
  #values: (V | undefined)[] = new Array<V | undefined>(32);
  /** Hash per entry (parallel to #keys). */
  #hashes = new Int32Array(32);
  #count = 0;
  #size = 0;

  /** Sizes the index and the entries for `count` keys up front (a hint). */
  reserve(count: number): void {
    let capacity = this.#slots.length;
    while (capacity < count * 2) capacity *= 2;
    if (capacity > this.#slots.length) this.#rebuild(capacity);
    if (count > this.#keys.length) this.#growEntries(count);
  }

  get size(): number {
    return this.#size;
  }

  has(key: string): boolean {
    return this.#find(key, hash(key)) >= 0;
  }

  get(key: string): V | undefined {
    const slot = this.#find(key, hash(key));
    return slot < 0 ? undefined : this.#values[this.#slots[slot]! - 1];
  }

  set(key: string, value: V): this {
    if ((this.#size + 1) * 2 > this.#slots.length) this.#rebuild(this.#slots.length * 2);
    else if (this.#count >= this.#slots.length) this.#rebuild(this.#slots.length); // many deleted entries: compact
    const h = hash(key);
    const slots = this.#slots;
    const hashes = this.#hashes;
    const keys = this.#keys;
    const mask = slots.length - 1;
    let s = h & mask;
    for (let e = slots[s]!; e !== 0; e = slots[s]!) {
      if (hashes[e - 1] === h && keys[e - 1] === key) {
        this.#values[e - 1] = value;
        return this;
      }
      s = (s + 1) & mask;
    }
    if (this.#count === keys.length) this.#growEntries(keys.length * 2);
    const entry = this.#count++;
    this.#keys[entry] = key;
    this.#values[entry] = value;
    this.#hashes[entry] = h;
    slots[s] = entry + 1;
    this.#size++;
    return this;
  }

  delete(key: string): boolean {
    const slot = this.#find(key, hash(key));
    if (slot < 0) return false;
    const entry = this.#slots[slot]! - 1;
    this.#keys[entry] = undefined;
    this.#values[entry] = undefined;
    this.#size--;
    this.#unplace(slot);
    return true;
  }

  /** Live values in insertion order. */
  *values(): IterableIterator<V> {
    const keys = this.#keys;
    const values = this.#values;
    for (let e = 0; e < this.#count; e++) if (keys[e] !== undefined) yield values[e]!;
  }

  /** The live values in insertion order as a new array (what {@link values} yields, faster). */
  valuesArray(): V[] {
    if (this.#count === this.#size) return this.#values.slice(0, this.#count) as V[];
    const out: V[] = [];
    const keys = this.#keys;
    const values = this.#values;
    for (let e = 0; e < this.#count; e++) if (keys[e] !== undefined) out.push(values[e]!);
    return out;
  }

  /** The slot holding `key`, or -1. */
  #find(key: string, h: number): number {
    const slots = this.#slots;
    const hashes = this.#hashes;
    const keys = this.#keys;
    const mask = slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[s]!;
      if (e === 0) return -1;
      if (hashes[e - 1] === h && keys[e - 1] === key) return s;
    }
  }

  /** Empties `slot`, shifting back later entries of its probe run (no tombstones). */
  #unplace(slot: number): void {
    const slots = this.#slots;
    const hashes = this.#hashes;
    const mask = slots.length - 1;
    let hole = slot;
    slots[hole] = 0;
    for (let s = (hole + 1) & mask; slots[s] !== 0; s = (s + 1) & mask) {
      const home = hashes[slots[s]! - 1]! & mask;
      // Move the entry at s into the hole when its home is not within (hole, s] cyclically.
      const inRun = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (inRun) continue;
      slots[hole] = slots[s]!;
      slots[s] = 0;
      hole = s;
    }
  }

  /** Entry arrays of `capacity` (at least the entries in use). */
  #growEntries(capacity: number): void {
    const keys = new Array<string | undefined>(capacity);
    const values = new Array<V | undefined>(capacity);
    const hashes = new Int32Array(capacity);
    for (let e = 0; e < this.#count; e++) {
      keys[e] = this.#keys[e];
      values[e] = this.#values[e];
    }
    hashes.set(this.#hashes.subarray(0, this.#count));
    this.#keys = keys;
    this.#values = values;
    this.#hashes = hashes;
  }

  /** Drops deleted entries and re-indexes into `capacity` slots. */
  #rebuild(capacity: number): void {
    if (this.#count !== this.#size) {
      let live = 0;
      for (let e = 0; e < this.#count; e++) {
        if (this.#keys[e] === undefined) continue;
        this.#keys[live] = this.#keys[e];
        this.#values[live] = this.#values[e];
        this.#hashes[live] = this.#hashes[e]!;
        live++;
      }
      for (let e = live; e < this.#count; e++) {
        this.#keys[e] = undefined;
        this.#values[e] = undefined;
      }
      this.#count = live;
    }
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    const hashes = this.#hashes;
    for (let e = 0; e < this.#count; e++) {
      let s = hashes[e]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.#slots = slots;
  }
}

/** FNV-1a over UTF-16 code units, with a final avalanche so that low bits index well. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
