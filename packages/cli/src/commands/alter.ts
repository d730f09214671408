import { DeltaError, DeltaTable } from '@deltakit/core';
import { tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

const HELP = `Usage: deltakit alter <table> <change> [arguments] [options]

Change a Delta table's schema, properties, constraints or clustering with one metadata commit
(ALTER TABLE, with Delta Spark's rules; the protocol is upgraded when a change needs a feature).

Changes:
  add-columns "<ddl>"                Add columns: 'c INT COMMENT "x" AFTER b, s.d STRING FIRST'
                                     (nullable only; s.d adds d inside struct s)
  rename-column <from> <to>          Rename a column (column-mapped tables; nested: s.a b)
  drop-columns <a,b,...>             Drop columns (column-mapped tables; --if-exists skips missing)
  set-comment <column> <text>        Set a column's comment
  change-type <column> <type>        Widen a column's type (tables with delta.enableTypeWidening)
  drop-not-null <column>             Make a NOT NULL column nullable
  move-column <column> first|after <c>  Move a column within its struct
  set-properties <k=v> ...           Set table properties (validated as Spark does)
  unset-properties <k> ...           Remove table properties (--if-exists ignores missing keys)
  add-constraint <name> <expr>       Add a CHECK constraint (existing rows are checked)
  drop-constraint <name>             Drop a CHECK constraint (--if-exists ignores a missing one)
  enable-column-mapping name|id      Enable column mapping (name; id only at creation, as Spark)
  cluster-by <a,b,...>|none          Change the clustering columns

Options:
  --if-exists   With drop-columns, unset-properties, drop-constraint: skip what does not exist
  -h, --help    Show this help

Prints one JSON object: table, operation, version (the table version after the change; the
current version when nothing changed), plus dropped (drop-constraint).
`;

export const alterCommand: Command = {
  name: 'alter',
  summary: 'Change the schema, properties, constraints or clustering (ALTER TABLE)',
  help: HELP,
  options: { 'if-exists': { type: 'boolean' } },
  run: runAlter,
};

type Result = { version: number } & Record<string, unknown>;
type Change = (table: DeltaTable, args: readonly string[], ctx: { ifExists: boolean; signal: AbortSignal }) => Promise<Result>;

/** A table that may have the clustering branch's `clusterBy`. */
type MaybeClustered = DeltaTable & { clusterBy?: (columns: readonly string[] | 'none', options?: { signal?: AbortSignal }) => Promise<{ version: number }> };

const CHANGES: Readonly<Record<string, { readonly operation: string; readonly arity: [number, number]; readonly run: Change }>> = {
  'add-columns': { operation: 'ADD COLUMNS', arity: [1, 1], run: (t, [ddl], c) => t.addColumns(ddl!, { signal: c.signal }) },
  'rename-column': { operation: 'RENAME COLUMN', arity: [2, 2], run: (t, [from, to], c) => t.renameColumn(from!, to!, { signal: c.signal }) },
  'drop-columns': { operation: 'DROP COLUMNS', arity: [1, Infinity], run: (t, args, c) => t.dropColumns(commaList(args), { ifExists: c.ifExists, signal: c.signal }) },
  'set-comment': { operation: 'CHANGE COLUMN', arity: [2, 2], run: (t, [col, text], c) => t.setColumnComment(col!, text!, { signal: c.signal }) },
  'change-type': { operation: 'CHANGE COLUMN', arity: [2, 2], run: (t, [col, type], c) => t.changeColumnType(col!, type!, { signal: c.signal }) },
  'drop-not-null': { operation: 'CHANGE COLUMN', arity: [1, 1], run: (t, [col], c) => t.dropNotNull(col!, { signal: c.signal }) },
  'move-column': { operation: 'CHANGE COLUMN', arity: [2, 3], run: (t, [col, where, after], c) => t.alterColumns([{ column: col!, position: position(where!, after) }], { signal: c.signal }) },
  'set-properties': { operation: 'SET TBLPROPERTIES', arity: [1, Infinity], run: (t, args, c) => t.setProperties(keyValues(args), { signal: c.signal }) },
  'unset-properties': { operation: 'UNSET TBLPROPERTIES', arity: [1, Infinity], run: (t, args, c) => t.unsetProperties(args, { ifExists: c.ifExists, signal: c.signal }) },
  'add-constraint': { operation: 'ADD CONSTRAINT', arity: [2, 2], run: (t, [name, expr], c) => t.addConstraint(name!, expr!, { signal: c.signal }) },
  'drop-constraint': { operation: 'DROP CONSTRAINT', arity: [1, 1], run: (t, [name], c) => t.dropConstraint(name!, { ifExists: c.ifExists, signal: c.signal }) },
  'enable-column-mapping': { operation: 'SET TBLPROPERTIES', arity: [1, 1], run: (t, [mode], c) => t.enableColumnMapping(columnMappingMode(mode!), { signal: c.signal }) },
  'cluster-by': { operation: 'CLUSTER BY', arity: [1, Infinity], run: clusterBy },
};

/** Changes that accept --if-exists. */
const IF_EXISTS = new Set(['drop-columns', 'unset-properties', 'drop-constraint']);

async function runAlter(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const [tablePositional, name, ...rest] = args.positionals;
  if (tablePositional === undefined) throw usageError('alter', 'Missing the <table> argument (a Delta table directory or URI)');
  const path = tableArg('alter', [tablePositional]);
  if (name === undefined) throw usageError('alter', `Missing the change to make; one of ${Object.keys(CHANGES).join(', ')}`);
  const change = CHANGES[name];
  if (change === undefined) throw usageError('alter', `Unknown change '${name}'; the changes are ${Object.keys(CHANGES).join(', ')}`);
  const [min, max] = change.arity;
  if (rest.length < min || rest.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw usageError('alter', `'${name}' takes ${expected} argument${min === 1 && max === 1 ? '' : 's'}, got ${rest.length}${rest.length > 0 ? `: ${rest.join(' ')}` : ''}`);
  }
  const ifExists = args.values['if-exists'] === true;
  if (ifExists && !IF_EXISTS.has(name)) throw usageError('alter', `--if-exists applies to ${[...IF_EXISTS].join(', ')}, not '${name}'`);
  const table = DeltaTable.forPath(path);
  try {
    const result = await change.run(table, rest, { ifExists, signal: ctx.signal });
    await ctx.out.write(`${toJsonText({ table: path, operation: change.operation, ...result }, 2)}\n`);
  } finally {
    await table.close();
  }
}

/** Column lists given as `a,b c` (commas and separate arguments both split). */
function commaList(args: readonly string[]): string[] {
  const out = args.flatMap((a) => splitOutsideBackquotes(a)).filter((c) => c !== '');
  if (out.length === 0) throw usageError('alter', 'Name at least one column');
  return out;
}

/** Splits on commas that are not inside back-quoted names (`` `a,b`,c `` → two columns). */
function splitOutsideBackquotes(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '`') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

function keyValues(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw usageError('alter', `set-properties takes key=value pairs, got '${a}'`);
    out[a.slice(0, eq).trim()] = a.slice(eq + 1);
  }
  return out;
}

function position(where: string, after: string | undefined): { first: true } | { after: string } {
  const w = where.toLowerCase();
  if (w === 'first' && after === undefined) return { first: true };
  if (w === 'after' && after !== undefined) return { after };
  throw usageError('alter', `move-column takes 'first' or 'after <column>', got '${[where, after].filter((x) => x !== undefined).join(' ')}'`);
}

function columnMappingMode(mode: string): 'name' | 'id' {
  if (mode !== 'name' && mode !== 'id') throw usageError('alter', `enable-column-mapping takes name or id, got '${mode}'`);
  return mode;
}

async function clusterBy(table: DeltaTable, args: readonly string[], ctx: { signal: AbortSignal }): Promise<Result> {
  const clustered = table as MaybeClustered;
  const columns = args.length === 1 && args[0]!.toLowerCase() === 'none' ? ('none' as const) : commaList(args);
  if (typeof clustered.clusterBy !== 'function') {
    throw new DeltaError('UNSUPPORTED_OPERATION', 'cluster-by is not available in this build: changing clustering columns needs liquid clustering support (DeltaTable.clusterBy), which this version of deltakit does not include yet. Nothing was changed.');
  }
  return clustered.clusterBy(columns, { signal: ctx.signal });
}
