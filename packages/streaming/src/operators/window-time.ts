/**
 * Spark's TimeWindowing over a batch: a row at time t belongs to the windows
 * `[start, start + window)` with `start = lastStart - i·slide` for i in 0..ceil(window/slide)-1,
 * where `lastStart = t - ((t - startTime) mod slide)` (the remainder taken non-negative). When
 * the window is a multiple of the slide every candidate window holds t; otherwise candidates
 * not holding t are dropped, as Spark's Expand + Filter. Rows with a null time are in no window.
 * Window starts are carried as doubles (µs, exact below 2^53 µs, i.e. until year 2255).
 */
import { Vec } from '@deltakit/core/internal';
import type { DataType } from '@deltakit/core';
import type { WindowSpec } from '../plan/aggregate-analysis.js';

const DOUBLE: DataType = { kind: 'primitive', name: 'double' };

export interface WindowPass {
  /** The window start of each row in this pass (µs, as doubles). */
  readonly starts: Vec;
  /** 1 where the row belongs to this pass's window. */
  readonly mask: Uint8Array;
}

/** One pass per overlapping window. */
export function windowPasses(spec: WindowSpec, time: Vec, rows: number): WindowPass[] {
  const valid = time.valid();
  const t = time.i64();
  const { windowMicros: w, slideMicros: s, startMicros: o } = spec;
  const count = Math.ceil(w / s);
  const exact = w % s === 0;
  const last = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const ts = Number(t[r]!);
    const rem = (ts - o) % s;
    last[r] = ts - (rem < 0 ? rem + s : rem);
  }
  const passes: WindowPass[] = [];
  for (let i = 0; i < count; i++) {
    const starts = i === 0 ? last : new Float64Array(rows);
    const mask = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      const start = last[r]! - i * s;
      starts[r] = start;
      if (valid !== null && valid[r] === 0) continue;
      if (exact) mask[r] = 1;
      else {
        const ts = Number(t[r]!);
        mask[r] = ts >= start && ts < start + w ? 1 : 0;
      }
    }
    passes.push({ starts: Vec.of(DOUBLE, { kind: 'f64', values: starts }, null, rows), mask });
  }
  return passes;
}

/** The `struct<start, end>` column of grouped window starts. */
export function windowStructs(spec: WindowSpec, type: DataType, starts: Vec): Vec {
  const n = starts.length;
  const s = starts.f64();
  const start = new BigInt64Array(n);
  const end = new BigInt64Array(n);
  for (let g = 0; g < n; g++) {
    start[g] = BigInt(s[g]!);
    end[g] = BigInt(s[g]! + spec.windowMicros);
  }
  const valid = starts.valid();
  const children = [Vec.of(spec.timeType, { kind: 'i64', values: start }, valid, n), Vec.of(spec.timeType, { kind: 'i64', values: end }, valid, n)];
  return Vec.of(type, { kind: 'struct', children, length: n }, valid, n);
}
