/**
 * Column paths for ALTER TABLE: parsing the text users write (`a.b`, `` `odd.name`.c ``), printing
 * them the way Delta Spark records them in commitInfo, resolving them against a schema (struct
 * fields case-insensitively, `element` / `key` / `value` through arrays and maps, as Spark's
 * `findColumnPosition`), and rebuilding a schema with one struct replaced. Pure.
 */
import { DeltaError } from '../../errors.js';
import { formatDataType } from '../../schema/json.js';
import type { DataType, StructField, StructType } from '../../schema/types.js';

/**
 * Splits a column path into its name parts: parts are separated by `.`, a part may be back-quoted
 * (`` `a.b` ``, with ``` `` ``` for a literal back-quote), and spaces around parts are ignored.
 * Throws INVALID_ARGUMENT for an empty part or an unterminated quote.
 */
export function parseColumnPath(text: string): string[] {
  if (typeof text !== 'string') {
    throw new DeltaError('INVALID_ARGUMENT', `A column must be given by name (text such as "a" or "s.b"), got ${typeof text}.`);
  }
  const parts: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new DeltaError('INVALID_ARGUMENT', `Column "${text}" is not a valid column path: ${why}. Separate nested names with dots and back-quote names that contain dots or back-quotes (\`a.b\`).`, {
      details: { column: text },
    });
  };
  for (;;) {
    while (i < text.length && text[i] === ' ') i++;
    let part = '';
    if (text[i] === '`') {
      i++;
      for (;;) {
        if (i >= text.length) fail('a back-quote is not closed');
        if (text[i] === '`') {
          if (text[i + 1] !== '`') break;
          i++;
        }
        part += text[i++];
      }
      i++;
      while (i < text.length && text[i] === ' ') i++;
    } else {
      const start = i;
      while (i < text.length && text[i] !== '.' && text[i] !== '`') i++;
      part = text.slice(start, i).trim();
    }
    if (part === '') fail('a name part is empty');
    parts.push(part);
    if (i >= text.length) return parts;
    if (text[i] !== '.') fail(`unexpected character '${text[i]}' at position ${i + 1}`);
    i++;
  }
}

/** A column named by a path text (`s.a`, `` `a.b`.c ``) or by its name parts (`['s', 'a']`). */
export type ColumnRef = string | readonly string[];

/** The name parts of a column reference; INVALID_ARGUMENT for an empty path or part. */
export function toPath(column: ColumnRef): string[] {
  if (typeof column === 'string') return parseColumnPath(column);
  if (!Array.isArray(column) || column.length === 0 || column.some((p) => typeof p !== 'string' || p === '')) {
    throw new DeltaError('INVALID_ARGUMENT', `A column must be a path such as "s.a" or its non-empty name parts such as ["s", "a"], got ${JSON.stringify(column)}.`);
  }
  return [...column];
}

/** The path as Spark's `UnresolvedAttribute.name` prints it: parts containing a dot are back-quoted. */
export function formatColumnPath(parts: readonly string[]): string {
  return parts.map((p) => (p.includes('.') ? `\`${p.replace(/`/g, '``')}\`` : p)).join('.');
}

/** The path as Spark's `FieldReference.toString` prints it: parts other than plain identifiers are back-quoted. */
export function quotedColumnPath(parts: readonly string[]): string {
  return parts.map((p) => (/^[A-Za-z0-9_]+$/.test(p) && !/^\d+$/.test(p) ? p : `\`${p.replace(/`/g, '``')}\``)).join('.');
}

/** One resolved step of a path: a struct field, or the element / key / value of an array or map. */
export type PathStep =
  | { readonly kind: 'field'; readonly field: StructField; readonly index: number }
  | { readonly kind: 'element' | 'key' | 'value'; readonly type: DataType };

/** A path resolved against a schema: the steps, with names spelled as in the schema. */
export interface ResolvedPath {
  readonly steps: readonly PathStep[];
  /** Logical names as spelled in the schema (`element`, `key`, `value` for collection steps). */
  readonly names: readonly string[];
  /** The type at the end of the path. */
  readonly type: DataType;
}

/** The field of `fields` named `name`: an exact match first, else the one case-insensitive match. */
export function findFieldIndex(fields: readonly StructField[], name: string): number {
  const exact = fields.findIndex((f) => f.name === name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  const matches = fields.flatMap((f, i) => (f.name.toLowerCase() === lower ? [i] : []));
  return matches.length === 1 ? matches[0]! : -1;
}

/**
 * Resolves `path` in `schema`. Struct fields match case-insensitively; `element` steps into an
 * array, `key` / `value` into a map. Throws COLUMN_NOT_FOUND naming the part that does not
 * resolve and the columns available there.
 */
export function resolvePath(schema: StructType, path: readonly string[]): ResolvedPath {
  const steps: PathStep[] = [];
  const names: string[] = [];
  let type: DataType = schema;
  for (const part of path) {
    const here = names.length === 0 ? 'the table' : formatColumnPath(names);
    if (type.kind === 'struct') {
      const index = findFieldIndex(type.fields, part);
      if (index < 0) throw notFound(path, part, here, type.fields.map((f) => f.name));
      const field: StructField = type.fields[index]!;
      steps.push({ kind: 'field', field, index });
      names.push(field.name);
      type = field.type;
    } else if (type.kind === 'array') {
      if (part.toLowerCase() !== 'element') throw notFound(path, part, here, ['element'], 'an array: name its elements with "element"');
      steps.push({ kind: 'element', type: type.elementType });
      names.push('element');
      type = type.elementType;
    } else if (type.kind === 'map') {
      const p = part.toLowerCase();
      if (p !== 'key' && p !== 'value') throw notFound(path, part, here, ['key', 'value'], 'a map: name its keys with "key" and its values with "value"');
      steps.push({ kind: p, type: p === 'key' ? type.keyType : type.valueType });
      names.push(p);
      type = p === 'key' ? type.keyType : type.valueType;
    } else {
      throw new DeltaError('COLUMN_NOT_FOUND', `Column ${formatColumnPath(path)} does not exist: ${here} has type ${formatDataType(type)}, which has no nested field "${part}". Check the column path.`, {
        details: { column: formatColumnPath(path) },
      });
    }
  }
  return { steps, names, type };
}

function notFound(path: readonly string[], part: string, here: string, available: readonly string[], what?: string): DeltaError {
  const inside = what ? ` (${here} is ${what})` : '';
  return new DeltaError(
    'COLUMN_NOT_FOUND',
    `Column ${formatColumnPath(path)} does not exist: ${here} has no column "${part}"${inside}. Available there: ${available.join(', ') || '(none)'}. Check the column name (names are case-insensitive).`,
    { details: { column: formatColumnPath(path), missing: part } },
  );
}

/**
 * `schema` with the struct at `parentPath` replaced by `edit(struct)`. The parent path may step
 * through structs, arrays (`element`) and maps (`key`, `value`); an empty path edits the top level.
 * Throws COLUMN_NOT_FOUND when the path does not resolve, INVALID_ARGUMENT when it ends at a
 * non-struct type (`what` names the operation for that message).
 */
export function editStruct(schema: StructType, parentPath: readonly string[], what: string, edit: (struct: StructType, names: readonly string[]) => StructType): StructType {
  const resolved = resolvePath(schema, parentPath);
  if (resolved.type.kind !== 'struct') {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `Cannot ${what} inside ${formatColumnPath(resolved.names)}: it has type ${formatDataType(resolved.type)}, not a struct. Name a struct column${resolved.type.kind === 'array' ? ' (for an array of structs, step in with "element")' : resolved.type.kind === 'map' ? ' (for a map of structs, step in with "key" or "value")' : ''}.`,
      { details: { column: formatColumnPath(resolved.names) } },
    );
  }
  const names = resolved.names;
  const rebuild = (type: DataType, depth: number): DataType => {
    if (depth === resolved.steps.length) return edit(type as StructType, names);
    const step = resolved.steps[depth]!;
    switch (step.kind) {
      case 'field': {
        const s = type as StructType;
        return { kind: 'struct', fields: s.fields.map((f, i) => (i === step.index ? { ...f, type: rebuild(f.type, depth + 1) } : f)) };
      }
      case 'element': {
        const a = type as Extract<DataType, { kind: 'array' }>;
        return { ...a, elementType: rebuild(a.elementType, depth + 1) };
      }
      case 'key': {
        const m = type as Extract<DataType, { kind: 'map' }>;
        return { ...m, keyType: rebuild(m.keyType, depth + 1) };
      }
      case 'value': {
        const m = type as Extract<DataType, { kind: 'map' }>;
        return { ...m, valueType: rebuild(m.valueType, depth + 1) };
      }
    }
  };
  return rebuild(schema, 0) as StructType;
}

/** Every struct field of `type` with its logical path, at every nesting level (through arrays and maps). */
export function allFields(type: DataType, parents: readonly string[] = []): { path: string[]; field: StructField }[] {
  const out: { path: string[]; field: StructField }[] = [];
  const walk = (t: DataType, at: readonly string[]): void => {
    if (t.kind === 'struct') {
      for (const f of t.fields) {
        const p = [...at, f.name];
        out.push({ path: p, field: f });
        walk(f.type, p);
      }
    } else if (t.kind === 'array') walk(t.elementType, [...at, 'element']);
    else if (t.kind === 'map') {
      walk(t.keyType, [...at, 'key']);
      walk(t.valueType, [...at, 'value']);
    }
  };
  walk(type, parents);
  return out;
}

/** Whether `prefix` is a prefix of (or equal to) `path`, comparing names case-insensitively. */
export function isPrefixOf(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p.toLowerCase() === path[i]!.toLowerCase());
}
