/**
 * JSON functions with Spark 3.5's non-ANSI semantics: get_json_object, from_json, to_json,
 * json_array_length, json_object_keys, schema_of_json. Invalid JSON and unmatched paths give null
 * (never an error), except where Spark raises one too (FAILFAST mode, schema_of_json of text that
 * is not JSON). The readers, path language and writers live in json-text.ts, json-path.ts,
 * json-from.ts and json-write.ts.
 */
import { parseDdlSchema } from '../../schema/ddl.js';
import { formatDataType as typeText, parseDataType } from '../../schema/json.js';
import { parseJson } from '../../util/json.js';
import type { DataType } from '../../schema/types.js';
import { INT, STRING, isString, isVoid } from '../type-rules.js';
import type { TypedExpr } from '../typed.js';
import { isMapValue } from '../value.js';
import { Vec } from '../vector.js';
import type { FunctionBindContext, FunctionDef } from './function.js';
import { compileFromJson } from './json-from.js';
import { evaluateJsonPath, parseJsonPath, type PathStep } from './json-path.js';
import { DEFAULT_READ, HIVE_READ, JsonMalformed, readJson, type JsonNode, type JsonReadOptions } from './json-text.js';
import { schemaOfJson, toJson, toJsonUnsupported } from './json-write.js';
import { rowwise } from './kernels.js';

const STRING_ARRAY: DataType = { kind: 'array', elementType: STRING, containsNull: false };

/** The first JSON value of `text` under Spark's Hive-compatible factory, or undefined when it is not JSON. */
function hiveDocument(text: string): JsonNode | undefined {
  try {
    return readJson(text, HIVE_READ);
  } catch (e) {
    if (e instanceof JsonMalformed) return undefined;
    throw e;
  }
}

const getJsonObject: FunctionDef = {
  name: 'get_json_object',
  arity: [2, 2],
  signature: 'get_json_object(json, path)',
  bind(args, ctx) {
    const json = ctx.cast(args[0]!, STRING, 1);
    const path = ctx.cast(args[1]!, STRING, 2);
    const constant = path.kind === 'literal' ? (path.value === null ? null : parseJsonPath(path.value as string)) : undefined;
    return {
      type: STRING,
      args: [json, path],
      fn: rowwise(STRING, ([j, p]) => {
        const steps: PathStep[] | undefined | null = constant === undefined ? parseJsonPath(p as string) : constant;
        if (!steps) return null;
        const doc = hiveDocument(j as string);
        return doc === undefined ? null : evaluateJsonPath(doc, steps);
      }),
    };
  },
};

const jsonArrayLength: FunctionDef = {
  name: 'json_array_length',
  arity: [1, 1],
  signature: 'json_array_length(json)',
  bind(args, ctx) {
    return {
      type: INT,
      args: [ctx.cast(args[0]!, STRING, 1)],
      fn: rowwise(INT, ([j]) => {
        const doc = hiveDocument(j as string);
        return doc?.t === 'arr' ? doc.items.length : null;
      }),
    };
  },
};

const jsonObjectKeys: FunctionDef = {
  name: 'json_object_keys',
  arity: [1, 1],
  signature: 'json_object_keys(json)',
  bind(args, ctx) {
    return {
      type: STRING_ARRAY,
      args: [ctx.cast(args[0]!, STRING, 1)],
      fn: rowwise(STRING_ARRAY, ([j]) => {
        const doc = hiveDocument(j as string);
        return doc?.t === 'obj' ? [...doc.keys] : null;
      }),
    };
  },
};

/** A constant `map<string,string>` options argument as a record (keys as given). */
function optionsArg(arg: TypedExpr | undefined, position: number, ctx: FunctionBindContext): Map<string, string> {
  const out = new Map<string, string>();
  if (arg === undefined) return out;
  const t = arg.type;
  if (!(t.kind === 'map' && isString(t.keyType) && isString(t.valueType)) && !isVoid(t)) {
    ctx.error(`The options of ${ctx.name} must be a constant map<string,string> (e.g. map('mode', 'FAILFAST')), not ${typeText(t)}.`);
  }
  const v = ctx.constant(arg, position);
  if (v !== null && isMapValue(v)) v.keys.forEach((k, i) => out.set(String(k), String(v.values[i] ?? '')));
  return out;
}

/** Spark's options are case-insensitive; only the ones implemented here are accepted. */
function readOptions(options: Map<string, string>, supported: readonly string[], ctx: FunctionBindContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of options) {
    const key = supported.find((s) => s.toLowerCase() === k.toLowerCase());
    if (key === undefined) ctx.error(`${ctx.name} does not support the option "${k}" (supported: ${supported.join(', ')}).`);
    out.set(key, v);
  }
  return out;
}

function booleanOption(options: Map<string, string>, key: string, fallback: boolean, ctx: FunctionBindContext): boolean {
  const v = options.get(key);
  if (v === undefined) return fallback;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  return ctx.error(`Option ${key} of ${ctx.name} must be true or false, not "${v}".`);
}

/** The schema argument of from_json: DDL column list, a type (`ARRAY<INT>`), or Delta schema JSON. */
function schemaArg(arg: TypedExpr, ctx: FunctionBindContext): DataType {
  if (!isString(arg.type)) ctx.error(`The schema of from_json must be a string literal such as 'a INT, b STRING', not ${typeText(arg.type)}.`);
  const text = ctx.constant(arg, 2);
  if (text === null) return ctx.error('The schema of from_json must not be null.');
  const s = text as string;
  let type: DataType;
  try {
    type = s.trimStart().startsWith('{') ? parseDataType(parseJson(s)) : parseDdlSchema(s);
  } catch (first) {
    try {
      type = parseDdlSchema('`x` ' + s).fields[0]!.type;
    } catch {
      return ctx.error(`Cannot read the from_json schema '${s}': ${(first as Error).message} Write it as DDL ('a INT, b ARRAY<STRING>') or a type ('ARRAY<STRUCT<a: INT>>').`);
    }
  }
  if (type.kind !== 'struct' && type.kind !== 'array' && type.kind !== 'map') {
    return ctx.error(`from_json needs a struct, array or map schema, not ${typeText(type)}.`);
  }
  const bad = unsupportedInFromJson(type);
  if (bad) ctx.error(`from_json cannot read ${bad} (schema '${s}').`);
  return asNullable(type);
}

function unsupportedInFromJson(t: DataType): string | undefined {
  switch (t.kind) {
    case 'struct':
      for (const f of t.fields) {
        const why = unsupportedInFromJson(f.type);
        if (why) return why;
      }
      return undefined;
    case 'array':
      return unsupportedInFromJson(t.elementType);
    case 'map':
      if (!isString(t.keyType)) return `maps with ${typeText(t.keyType)} keys (JSON object keys are strings: use MAP<STRING, ...>)`;
      return unsupportedInFromJson(t.valueType);
    case 'decimal':
      return undefined;
    case 'primitive':
      return t.name === 'variant' || t.name === 'void' ? `${t.name} values` : undefined;
  }
}

/** Spark's `asNullable`: from_json results may hold nulls anywhere. */
function asNullable(t: DataType): DataType {
  switch (t.kind) {
    case 'struct':
      return { kind: 'struct', fields: t.fields.map((f) => ({ ...f, nullable: true, type: asNullable(f.type) })) };
    case 'array':
      return { kind: 'array', elementType: asNullable(t.elementType), containsNull: true };
    case 'map':
      return { kind: 'map', keyType: asNullable(t.keyType), valueType: asNullable(t.valueType), valueContainsNull: true };
    default:
      return t;
  }
}

const FROM_JSON_OPTIONS = ['mode', 'columnNameOfCorruptRecord', 'allowSingleQuotes', 'allowUnquotedControlChars', 'allowNonNumericNumbers', 'allowNumericLeadingZeros'];

const fromJson: FunctionDef = {
  name: 'from_json',
  arity: [2, 3],
  signature: 'from_json(json, schema[, options])',
  bind(args, ctx) {
    const json = ctx.cast(args[0]!, STRING, 1);
    const type = schemaArg(args[1]!, ctx);
    const opts = readOptions(optionsArg(args[2], 3, ctx), FROM_JSON_OPTIONS, ctx);
    const mode = (opts.get('mode') ?? 'PERMISSIVE').toUpperCase();
    if (mode !== 'PERMISSIVE' && mode !== 'FAILFAST') ctx.error(`from_json supports modes PERMISSIVE and FAILFAST, not ${mode}.`);
    const read: JsonReadOptions = {
      singleQuotes: booleanOption(opts, 'allowSingleQuotes', DEFAULT_READ.singleQuotes, ctx),
      controlChars: booleanOption(opts, 'allowUnquotedControlChars', DEFAULT_READ.controlChars, ctx),
      nonNumeric: booleanOption(opts, 'allowNonNumericNumbers', DEFAULT_READ.nonNumeric, ctx),
      leadingZeros: booleanOption(opts, 'allowNumericLeadingZeros', DEFAULT_READ.leadingZeros, ctx),
    };
    const corruptRecordColumn = opts.get('columnNameOfCorruptRecord') ?? '_corrupt_record';
    if (type.kind === 'struct') {
      const c = type.fields.find((f) => f.name === corruptRecordColumn);
      if (c && !isString(c.type)) ctx.error(`The field for corrupt records (${corruptRecordColumn}) must be a string, not ${typeText(c.type)}.`);
    }
    const parse = compileFromJson(type, { read, failFast: mode === 'FAILFAST', corruptRecordColumn, timeZone: ctx.timeZone });
    return { type, args: [json], fn: rowwise(type, ([j]) => parse(j as string)) };
  },
};

const toJsonDef: FunctionDef = {
  name: 'to_json',
  arity: [1, 2],
  signature: 'to_json(struct | array | map[, options])',
  bind(args, ctx) {
    const t = args[0]!.type;
    if (t.kind !== 'struct' && t.kind !== 'array' && t.kind !== 'map') ctx.error(`to_json needs a struct, array or map, not ${typeText(t)}.`);
    const bad = toJsonUnsupported(t);
    if (bad) ctx.error(`to_json cannot write ${bad}.`);
    const opts = readOptions(optionsArg(args[1], 2, ctx), ['ignoreNullFields'], ctx);
    const options = { ignoreNullFields: booleanOption(opts, 'ignoreNullFields', true, ctx), timeZone: ctx.timeZone };
    return { type: STRING, args: [args[0]!], fn: rowwise(STRING, ([v]) => toJson(v!, t, options)) };
  },
};

const schemaOfJsonDef: FunctionDef = {
  name: 'schema_of_json',
  arity: [1, 2],
  signature: 'schema_of_json(json[, options])',
  bind(args, ctx) {
    const json = ctx.cast(args[0]!, STRING, 1);
    const text = ctx.constant(json, 1);
    if (text === null) ctx.error('schema_of_json needs a JSON string, not NULL.');
    readOptions(optionsArg(args[1], 2, ctx), [], ctx);
    let schema: string;
    try {
      schema = schemaOfJson(text as string, DEFAULT_READ);
    } catch (e) {
      if (!(e instanceof JsonMalformed)) throw e;
      return ctx.error(`schema_of_json cannot infer a schema from text that is not JSON (${e.message}): ${text as string}`);
    }
    return { type: STRING, args: [], fn: { eval: (_v, c) => Vec.constant(STRING, schema, c.length) } };
  },
};

export const JSON_FUNCTIONS: readonly FunctionDef[] = [getJsonObject, jsonArrayLength, jsonObjectKeys, fromJson, toJsonDef, schemaOfJsonDef];
