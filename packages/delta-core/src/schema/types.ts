/**
 * The Delta schema model: a typed mirror of the protocol's schema serialization format.
 * Parse and print with `schema/json.ts`; map to and from Arrow with `schema/arrow.ts`.
 */

export type PrimitiveTypeName =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | 'variant'
  | 'void';

export interface PrimitiveType {
  readonly kind: 'primitive';
  readonly name: PrimitiveTypeName;
}

/** Invariant: 1 <= precision <= 38 and 0 <= scale <= precision. */
export interface DecimalType {
  readonly kind: 'decimal';
  readonly precision: number;
  readonly scale: number;
}

export interface ArrayType {
  readonly kind: 'array';
  readonly elementType: DataType;
  readonly containsNull: boolean;
}

export interface MapType {
  readonly kind: 'map';
  readonly keyType: DataType;
  readonly valueType: DataType;
  readonly valueContainsNull: boolean;
}

/** Invariant: field names are unique case-insensitively within one struct. */
export interface StructType {
  readonly kind: 'struct';
  readonly fields: readonly StructField[];
}

export interface StructField {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Field metadata exactly as in the log (column mapping ids, invariants, type changes...). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export type DataType = PrimitiveType | DecimalType | ArrayType | MapType | StructType;

export const primitive = (name: PrimitiveTypeName): PrimitiveType => ({ kind: 'primitive', name });
export const decimal = (precision: number, scale: number): DecimalType => ({ kind: 'decimal', precision, scale });
export const struct = (fields: readonly StructField[]): StructType => ({ kind: 'struct', fields });
export const field = (name: string, type: DataType, nullable = true, metadata: Record<string, unknown> = {}): StructField => ({
  name,
  type,
  nullable,
  metadata,
});

/** Exhaustive visitor over data types: adding a kind without handling it does not compile. */
export type DataTypeVisitor<R> = { [K in DataType['kind']]: (t: Extract<DataType, { kind: K }>) => R };

export function visitDataType<R>(t: DataType, v: DataTypeVisitor<R>): R {
  return (v[t.kind] as (t: DataType) => R)(t);
}
