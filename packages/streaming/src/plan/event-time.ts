/**
 * Which output columns of a node carry event time, and with what watermark delay: Spark marks
 * the column given to `withWatermark` and keeps the mark through projections that pass it on
 * (renamed or not), filters, deduplication, unions and joins; a `window(...)` or
 * `sessionWindow(...)` grouping key over such a column carries it too (its `end` is compared
 * with the watermark: the key's expression is the time column). Stateful operators use it to
 * drop late rows and to evict state.
 */
import type { Analyzed } from './analyze.js';

/** Column name → watermark delay (ms). */
export type EventTimeColumns = ReadonlyMap<string, number>;

export function eventTimeColumns(n: Analyzed): EventTimeColumns {
  switch (n.kind) {
    case 'scan':
      return new Map();
    case 'watermark': {
      const out = new Map(eventTimeColumns(n.child));
      out.set(n.column, n.delayMs);
      return out;
    }
    case 'project': {
      const input = eventTimeColumns(n.child);
      const out = new Map<string, number>();
      for (const o of n.outputs) {
        if (o.expr.kind !== 'column' || o.expr.path.length !== 1) continue;
        const from = [...input.keys()].find((k) => k.toLowerCase() === (o.expr as { path: readonly string[] }).path[0]!.toLowerCase());
        if (from !== undefined) out.set(o.name, input.get(from)!);
      }
      return out;
    }
    case 'aggregate': {
      const input = eventTimeColumns(n.child);
      const out = new Map<string, number>();
      for (const k of n.keys) {
        const delay = keyEventTime(k.expr, input);
        if (delay !== undefined) out.set(k.name, delay);
      }
      return out;
    }
    case 'union': {
      const maps = n.children.map(eventTimeColumns);
      const out = new Map<string, number>();
      for (const k of (maps[0] ?? new Map<string, number>()).keys()) if (maps.every((m) => m.has(k))) out.set(k, Math.max(...maps.map((m) => m.get(k)!)));
      return out;
    }
    case 'join': {
      const all = [...eventTimeColumns(n.left), ...(n.how === 'left_semi' || n.how === 'left_anti' ? [] : eventTimeColumns(n.right))];
      return new Map(all.filter(([name]) => n.schema.fields.some((f) => f.name === name)));
    }
    case 'timeWindow': {
      // Spark's TimeWindowing: the window of a watermarked column carries its watermark (its end is compared).
      const input = eventTimeColumns(n.child);
      const out = new Map(input);
      const delay = keyEventTime(n.time, input);
      if (delay !== undefined) out.set(n.column, delay);
      return out;
    }
    default:
      return eventTimeColumns(n.child);
  }
}

/** The delay of an expression that is a reference to an event-time column, else undefined. */
export function keyEventTime(e: { kind: string; path?: readonly string[] }, input: EventTimeColumns): number | undefined {
  if (e.kind !== 'column' || e.path === undefined || e.path.length !== 1) return undefined;
  const name = e.path[0]!.toLowerCase();
  for (const [k, v] of input) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** True when the plan has a `withWatermark` anywhere. */
export function hasWatermark(n: Analyzed): boolean {
  if (n.kind === 'watermark') return true;
  if (n.kind === 'scan') return false;
  const kids = n.kind === 'union' ? n.children : n.kind === 'join' ? [n.left, n.right] : [n.child];
  return kids.some(hasWatermark);
}
