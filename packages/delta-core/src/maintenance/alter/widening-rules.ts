/**
 * Which type changes ALTER COLUMN ... TYPE may make (Spark's `SchemaUtils.canChangeDataType` with
 * type widening, and the protocol's type widening section for writers).
 */
import { DeltaError } from '../../errors.js';
import { supportedReaderFeatures, supportedWriterFeatures } from '../../log/protocol-check.js';
import { formatDataType, typeName } from '../../schema/json.js';
import { isWideningSupported } from '../../schema/type-widening.js';
import type { DataType, DecimalType, PrimitiveType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';

export type Atomic = PrimitiveType | DecimalType;

/** The widenings of the protocol's type widening section, as messages list them. */
export const ALLOWED_CHANGES: readonly string[] = [
  'byte → short → integer → long',
  'float → double',
  'byte, short, integer → double',
  'date → timestamp_ntz',
  'decimal(p,s) → decimal(p+k1,s+k2) with k1 ≥ k2 ≥ 0',
  'byte, short, integer → decimal(p,s) with p-s ≥ 10; long → decimal(p,s) with p-s ≥ 20',
];

/**
 * The widenings a writer may apply (the protocol's list). Readers also accept integer → decimal
 * changes with fewer integer digits, which preview writers recorded; writers may not make them.
 */
export function isWritableWidening(from: Atomic, to: Atomic): boolean {
  if (to.kind === 'primitive' && to.name === 'void') return false;
  if (from.kind === 'primitive' && to.kind === 'decimal' && ['byte', 'short', 'integer', 'long'].includes(from.name)) {
    return to.precision - to.scale >= (from.name === 'long' ? 20 : 10);
  }
  return isWideningSupported(from, to);
}

/**
 * Throws UNSUPPORTED_OPERATION unless `from` → `to` is a widening this table allows: the table
 * enables type widening (`delta.enableTypeWidening` with the feature supported), the change is one
 * of {@link ALLOWED_CHANGES}, and, with Iceberg compatibility enabled, one Iceberg readers support.
 */
export function checkWidening(snapshot: Snapshot, column: string, from: Atomic, to: DataType): void {
  const enabled = snapshot.properties['delta.enableTypeWidening']?.toLowerCase() === 'true' && (supportsFeature(snapshot, 'typeWidening') || supportsFeature(snapshot, 'typeWidening-preview'));
  const atomic = to.kind === 'primitive' || to.kind === 'decimal';
  const iceberg = icebergCompatible(snapshot.properties);
  const supported = atomic && isWritableWidening(from, to) && (!iceberg || icebergAllows(from, to));
  if (enabled && supported) return;
  const change = `from ${typeName(from)} to ${formatDataType(to)}`;
  const details = { column, fromType: typeName(from), toType: formatDataType(to), allowedChanges: ALLOWED_CHANGES };
  if (!enabled && supported) {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Cannot change column ${column} of the table at ${snapshot.tableRoot} ${change}: the table does not enable type widening. Nothing was changed. Enable it first with setProperties({ 'delta.enableTypeWidening': 'true' }) (adds the typeWidening table feature), then retry.`,
      { details },
    );
  }
  throw new DeltaError(
    'UNSUPPORTED_OPERATION',
    `Cannot change column ${column} of the table at ${snapshot.tableRoot} ${change}: only widening type changes are allowed, and only on tables with delta.enableTypeWidening=true. The allowed changes are: ${ALLOWED_CHANGES.join('; ')}${iceberg ? ' (with Iceberg compatibility enabled only integer widenings, float to double, and decimal precision increases at the same scale)' : ''}. Nothing was changed. To store other values, add a new column and copy the data into it.`,
    { details },
  );
}

function icebergCompatible(props: Readonly<Record<string, string>>): boolean {
  const on = (k: string) => props[k]?.toLowerCase() === 'true';
  return on('delta.enableIcebergCompatV1') || on('delta.enableIcebergCompatV2') || on('delta.enableIcebergCompatV3');
}

/** Type promotions Iceberg readers support (Spark's `isTypeChangeSupportedByIceberg`). */
function icebergAllows(from: Atomic, to: Atomic): boolean {
  const ints = ['byte', 'short', 'integer', 'long'];
  if (from.kind === 'primitive' && to.kind === 'primitive') return (ints.includes(from.name) && ints.includes(to.name)) || (from.name === 'float' && to.name === 'double');
  return from.kind === 'decimal' && to.kind === 'decimal' && from.scale === to.scale && from.precision <= to.precision;
}

export function supportsFeature(snapshot: Snapshot, feature: string): boolean {
  return supportedReaderFeatures(snapshot.protocol).has(feature) || supportedWriterFeatures(snapshot.protocol).has(feature);
}

/** Whether two types are the same, comparing struct fields by name (case-insensitive), type and nullability; metadata ignored. */
export function sameType(a: DataType, b: DataType): boolean {
  return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
}

function comparable(t: DataType): unknown {
  switch (t.kind) {
    case 'struct':
      return { s: t.fields.map((f) => [f.name.toLowerCase(), comparable(f.type), f.nullable]) };
    case 'array':
      return { a: comparable(t.elementType), n: t.containsNull };
    case 'map':
      return { k: comparable(t.keyType), v: comparable(t.valueType), n: t.valueContainsNull };
    default:
      return formatDataType(t);
  }
}
