/**
 * Arrow record batches as plain JS rows (`collect()`), exact for every Delta type: long → bigint;
 * byte/short/integer/float/double → number; decimal → its exact text (`"12.30"`); date →
 * `"YYYY-MM-DD"`; timestamp → ISO-8601 UTC text with microseconds (`"2024-01-31T10:00:00.123456Z"`);
 * timestamp_ntz → the same without `Z`; binary → Uint8Array; array → array; struct → object; map →
 * `Map`. These are also values `memoryStream().addData` and writes accept.
 */
import type { DataType, StructType } from '@deltakit/core';
import { Vec, civilFromDays } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';

export type Row = Record<string, unknown>;

export function batchRows(batch: RecordBatch, schema: StructType, out: Row[] = []): Row[] {
  const vecs = schema.fields.map((f, i) => Vec.fromArrow(batch.data.children[i]!, f.type));
  for (let r = 0; r < batch.numRows; r++) {
    const row: Row = {};
    for (let c = 0; c < vecs.length; c++) row[schema.fields[c]!.name] = toJs(vecs[c]!.get(r), schema.fields[c]!.type);
    out.push(row);
  }
  return out;
}

/** One evaluator value (see `@deltakit/core`'s Value) as a plain JS value of `type`. */
export function toJs(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'date':
          return dateText(v as number);
        case 'timestamp':
          return timestampText(v as bigint) + 'Z';
        case 'timestamp_ntz':
          return timestampText(v as bigint);
        default:
          return v;
      }
    case 'decimal': {
      const d = v as { unscaled: bigint | number; scale: number };
      return decimalText(BigInt(d.unscaled), type.scale);
    }
    case 'array':
      return (v as unknown[]).map((x) => toJs(x, type.elementType));
    case 'struct': {
      const values = (v as { values: unknown[] }).values;
      const o: Row = {};
      type.fields.forEach((f, i) => (o[f.name] = toJs(values[i], f.type)));
      return o;
    }
    case 'map': {
      const m = v as { keys: unknown[]; values: unknown[] };
      return new Map(m.keys.map((k, i) => [toJs(k, type.keyType), toJs(m.values[i], type.valueType)]));
    }
  }
}

function dateText(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function timestampText(micros: bigint): string {
  const days = Number(micros >= 0n ? micros / 86_400_000_000n : -((-micros + 86_399_999_999n) / 86_400_000_000n));
  const rest = micros - BigInt(days) * 86_400_000_000n;
  const secs = Number(rest / 1_000_000n);
  const frac = Number(rest % 1_000_000n);
  return `${dateText(days)}T${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}.${pad(frac, 6)}`;
}

function decimalText(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

const pad = (n: number, w: number) => (n < 0 ? '-' + String(-n).padStart(w, '0') : String(n).padStart(w, '0'));
