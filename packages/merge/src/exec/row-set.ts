import { DeletedRows } from '@deltakit/core/internal';

/**
 * A set of row positions of one file, as a bitmap growing with the highest position: one bit per
 * physical row up to it (10M rows take 1.25 MB), whatever the number of positions added.
 */
export class RowSet {
  #words = new Uint32Array(0);
  #count = 0;

  /** Positions in the set. */
  get size(): number {
    return this.#count;
  }

  /** Adds positions (integers, any order); returns how many were new. */
  addAll(positions: ArrayLike<number>): number {
    let added = 0;
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i]!;
      const w = Math.floor(p / 32);
      if (w >= this.#words.length) this.#grow(w + 1);
      const bit = 1 << (p % 32);
      const words = this.#words;
      if ((words[w]! & bit) === 0) {
        words[w] = words[w]! | bit;
        added++;
      }
    }
    this.#count += added;
    return added;
  }

  has(position: number): boolean {
    const w = Math.floor(position / 32);
    return w < this.#words.length && (this.#words[w]! & (1 << (position % 32))) !== 0;
  }

  /** Keep-mask over rows [start, start + n): 1 for positions not in the set. */
  keepMask(positions: Float64Array): Uint8Array {
    const out = new Uint8Array(positions.length);
    for (let i = 0; i < positions.length; i++) out[i] = this.has(positions[i]!) ? 0 : 1;
    return out;
  }

  /** The set as deletion-vector rows. */
  toDeletedRows(): DeletedRows {
    return DeletedRows.fromBitmap(this.#words);
  }

  #grow(minWords: number): void {
    const next = new Uint32Array(Math.max(minWords, this.#words.length * 2, 64));
    next.set(this.#words);
    this.#words = next;
  }
}
