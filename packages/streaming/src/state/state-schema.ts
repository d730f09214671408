/**
 * The state schema file of one stateful operator, where Spark keeps it:
 * `<checkpoint>/state/<operatorId>/0/_metadata/schema` (the folder of partition 0), written once,
 * atomically (put-if-absent), by the first run:
 * ```
 * v1
 * {"keySchema":<Delta/Spark schema JSON>,"valueSchema":<schema JSON>}
 * ```
 * A restart checks the query's key and value schemas against it with Spark's rule
 * (StateSchemaCompatibilityChecker, `DataType.equalsIgnoreNameAndCompatibleNullability`): the same
 * number of fields with the same types, at any depth; field names may differ (the encoding is
 * positional); a column the checkpoint stores as nullable may become non-nullable, but not the
 * reverse (old state may hold NULLs there). Anything else is CHECKPOINT_INCOMPATIBLE naming the
 * operator and the first difference. The stored schema is kept as first written, as Spark does.
 */
import { DeltaError, parseSchemaString, schemaToJson, type DataType, type ObjectStore, type StructType } from '@deltakit/core';
import { typeText } from '@deltakit/core/internal';
import { corrupt } from './state-files.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const stateSchemaPath = (checkpoint: string, operatorId: number): string => `${checkpoint}/state/${operatorId}/0/_metadata/schema`;

export interface StoredStateSchema {
  readonly keySchema: StructType;
  readonly valueSchema: StructType;
}

/**
 * Writes the schema file when there is none, else checks `keySchema` and `valueSchema` against
 * it. Returns the stored schemas (the given ones on a first run).
 */
export async function checkOrWriteStateSchema(store: ObjectStore, checkpoint: string, operatorId: number, keySchema: StructType, valueSchema: StructType): Promise<StoredStateSchema> {
  const path = stateSchemaPath(checkpoint, operatorId);
  const text = `v1\n${JSON.stringify({ keySchema: schemaToJson(keySchema), valueSchema: schemaToJson(valueSchema) })}`;
  const r = await store.putIfAbsent(path, encoder.encode(text));
  if (r.created) return { keySchema, valueSchema };
  const stored = parseStateSchema(decoder.decode(await store.get(path)), path);
  const keyDiff = schemaDifference(stored.keySchema, keySchema, 'key');
  const valueDiff = keyDiff ?? schemaDifference(stored.valueSchema, valueSchema, 'value');
  if (valueDiff !== undefined) {
    const which = keyDiff !== undefined ? 'key' : 'value';
    throw new DeltaError(
      'CHECKPOINT_INCOMPATIBLE',
      `The state of stateful operator ${operatorId} in checkpoint ${checkpoint} has a different ${which} schema than this query: ${valueDiff}. ` +
        `The checkpoint stores ${which} ${structText(which === 'key' ? stored.keySchema : stored.valueSchema)}, the query needs ${structText(which === 'key' ? keySchema : valueSchema)}. ` +
        'The query changed its grouping keys, aggregates or deduplication columns in a way its saved state cannot follow. Restore the previous query, or start this one with a new checkpointLocation.',
      { details: { operatorId, path, schema: which } },
    );
  }
  return stored;
}

export function parseStateSchema(text: string, path: string): StoredStateSchema {
  const nl = text.indexOf('\n');
  const m = /^v(\d+)$/.exec(nl < 0 ? text : text.slice(0, nl));
  if (m === null) throw corrupt(path, 'it does not start with a version line (v1)');
  if (Number(m[1]) > 1) throw new DeltaError('CHECKPOINT_INCOMPATIBLE', `State schema file ${path} has version v${m[1]}, newer than this deltakit understands (v1). Upgrade deltakit to run this query.`, { details: { path } });
  try {
    const parsed = JSON.parse(text.slice(nl + 1)) as { keySchema: unknown; valueSchema: unknown };
    return { keySchema: parseSchemaString(JSON.stringify(parsed.keySchema)), valueSchema: parseSchemaString(JSON.stringify(parsed.valueSchema)) };
  } catch (e) {
    throw corrupt(path, 'it does not hold {"keySchema":..,"valueSchema":..}', e);
  }
}

/**
 * The first incompatibility between a stored state schema and a query's, as text; undefined when
 * Spark would accept the query's (same types ignoring names, nullability only tightened).
 */
export function schemaDifference(stored: StructType, query: StructType, what: string): string | undefined {
  return typeDifference(stored, query, what);
}

function typeDifference(stored: DataType, query: DataType, path: string): string | undefined {
  if (stored.kind !== query.kind) return `${path} was ${typeText(stored)}, now ${typeText(query)}`;
  switch (stored.kind) {
    case 'primitive':
      return stored.name === (query as typeof stored).name ? undefined : `${path} was ${typeText(stored)}, now ${typeText(query)}`;
    case 'decimal': {
      const q = query as typeof stored;
      return stored.precision === q.precision && stored.scale === q.scale ? undefined : `${path} was ${typeText(stored)}, now ${typeText(query)}`;
    }
    case 'array': {
      const q = query as typeof stored;
      if (q.containsNull && !stored.containsNull) return `${path} elements were non-nullable, now nullable`;
      return typeDifference(stored.elementType, q.elementType, `${path}[]`);
    }
    case 'map': {
      const q = query as typeof stored;
      if (q.valueContainsNull && !stored.valueContainsNull) return `${path} values were non-nullable, now nullable`;
      return typeDifference(stored.keyType, q.keyType, `${path}.key`) ?? typeDifference(stored.valueType, q.valueType, `${path}.value`);
    }
    case 'struct': {
      const q = query as typeof stored;
      if (stored.fields.length !== q.fields.length) return `${path} had ${stored.fields.length} fields (${stored.fields.map((f) => f.name).join(', ')}), now ${q.fields.length} (${q.fields.map((f) => f.name).join(', ')})`;
      for (let i = 0; i < stored.fields.length; i++) {
        const s = stored.fields[i]!;
        const f = q.fields[i]!;
        const at = `${path} field ${i + 1} (${s.name === f.name ? s.name : `${s.name}, now named ${f.name}`})`;
        if (f.nullable && !s.nullable) return `${at} was non-nullable, now nullable`;
        const d = typeDifference(s.type, f.type, at);
        if (d !== undefined) return d;
      }
      return undefined;
    }
  }
}

function structText(s: StructType): string {
  return `struct<${s.fields.map((f) => `${f.name}: ${typeText(f.type)}${f.nullable ? '' : ' not null'}`).join(', ')}>`;
}
