import type { DataType } from '@deltakit/core';
import type { ExpressionParser } from '@deltakit/core/internal';
import type {
  AlterColumnStatement,
  AlterTableStatement,
  ClusterByStatement,
  ColumnChange,
  ColumnDefinition,
  ColumnName,
  ColumnPosition,
  TableProperty,
  TableRef,
} from './ast.js';
import { atStatementEnd, columnName, deltaTable, expectStatementEnd, isKeywords, list, samePathOrNested, singleName, stringLiteral } from './parse-common.js';

/**
 * `ALTER TABLE <table> …` in the forms Spark's `SqlBaseParser.g4` and Delta's `DeltaSqlBase.g4`
 * give it: ADD COLUMN[S], RENAME COLUMN, DROP COLUMN[S], ALTER / CHANGE [COLUMN] (Spark's one
 * action per column, and Hive's `CHANGE c c <type> …`), SET / UNSET TBLPROPERTIES,
 * ADD / DROP CONSTRAINT, CLUSTER BY. Starts at ALTER; stops at the end of the statement.
 */
export function parseAlterTable(p: ExpressionParser): AlterTableStatement {
  const start = p.advance().pos;
  if (p.isKeyword('VIEW')) throw p.error(p.token.pos, 'ALTER VIEW is not supported: deltakit has no views; ALTER TABLE changes a Delta table');
  p.expectKeyword('TABLE', 'TABLE after ALTER');
  const table = deltaTable(p, 'ALTER TABLE', { quotedPath: false });
  const statement = alterAction(p, table);
  expectStatementEnd(p, 'the end of the statement');
  return { ...statement, span: [start, p.lastEnd] } as AlterTableStatement;
}

type Unspanned = { [K in AlterTableStatement['kind']]: Omit<Extract<AlterTableStatement, { kind: K }>, 'span'> }[AlterTableStatement['kind']];

const ACTIONS = 'ADD COLUMNS, ADD CONSTRAINT, RENAME COLUMN, DROP COLUMNS, DROP CONSTRAINT, ALTER COLUMN, CHANGE COLUMN, SET TBLPROPERTIES, UNSET TBLPROPERTIES or CLUSTER BY after the table';

function alterAction(p: ExpressionParser, table: TableRef): Unspanned {
  const t = p.token;
  const word = p.acceptKeyword('ADD', 'RENAME', 'DROP', 'ALTER', 'CHANGE', 'SET', 'UNSET', 'CLUSTER');
  switch (word) {
    case 'ADD':
      if (p.acceptKeyword('COLUMN', 'COLUMNS')) return { kind: 'addColumns', table, columns: columnDefinitions(p) };
      if (p.acceptKeyword('CONSTRAINT')) return addConstraint(p, table);
      return p.fail('COLUMN, COLUMNS or CONSTRAINT after ADD');
    case 'RENAME': {
      if (p.isKeyword('TO')) throw p.error(p.token.pos, 'a path table cannot be renamed: its name is its location; move the table directory instead');
      p.expectKeyword('COLUMN', 'COLUMN after RENAME');
      const column = columnName(p, 'the column to rename');
      p.expectKeyword('TO', 'TO and the new name after the column');
      const to = singleName(p, 'the new column name', 'RENAME COLUMN gives the last name part a new name and the column stays in its struct; write only the new name').name;
      return { kind: 'renameColumn', table, column, to };
    }
    case 'DROP':
      if (p.acceptKeyword('COLUMN', 'COLUMNS')) {
        const ifExists = acceptIfExists(p);
        const columns = list(p, () => columnName(p, 'a column to drop'), { parenthesized: 'optional', what: 'the columns to drop' });
        return { kind: 'dropColumns', table, columns, ifExists };
      }
      if (p.acceptKeyword('CONSTRAINT')) {
        const ifExists = acceptIfExists(p);
        return { kind: 'dropConstraint', table, name: singleName(p, 'the constraint name', 'constraint names are one name').name, ifExists };
      }
      if (p.isKeyword('FEATURE')) throw p.error(p.token.pos, 'ALTER TABLE … DROP FEATURE is not supported by deltakit');
      return p.fail('COLUMN, COLUMNS or CONSTRAINT after DROP');
    case 'ALTER':
    case 'CHANGE':
      return alterColumns(p, table, word);
    case 'SET':
      p.expectKeyword('TBLPROPERTIES', 'TBLPROPERTIES after SET (SET TBLPROPERTIES (\'key\' = \'value\', …))');
      return { kind: 'setProperties', table, properties: propertyList(p, 'SET') };
    case 'UNSET': {
      p.expectKeyword('TBLPROPERTIES', 'TBLPROPERTIES after UNSET');
      const ifExists = acceptIfExists(p);
      return { kind: 'unsetProperties', table, keys: propertyList(p, 'UNSET').map((x) => x.key), ifExists };
    }
    case 'CLUSTER':
      return clusterBy(p, table);
    default:
      if (p.isKeyword('REPLACE')) throw p.error(t.pos, 'ALTER TABLE … REPLACE COLUMNS is not supported; use ADD COLUMNS, DROP COLUMNS and RENAME COLUMN');
      return p.fail(ACTIONS);
  }
}

const acceptIfExists = (p: ExpressionParser): boolean => {
  if (!isKeywords(p, 'IF', 'EXISTS')) return false;
  p.advance();
  p.advance();
  return true;
};

const acceptNotNull = (p: ExpressionParser): boolean => {
  if (!p.isKeyword('NOT') && !p.isOp('!')) return false;
  p.advance();
  p.expectKeyword('NULL', 'NULL after NOT');
  return true;
};

/** `FIRST` or `AFTER <name>` (a sibling in the same struct: one name), when one comes next. */
function columnPosition(p: ExpressionParser): ColumnPosition | undefined {
  if (p.acceptKeyword('FIRST')) return { kind: 'first' };
  if (!p.acceptKeyword('AFTER')) return undefined;
  const after = singleName(p, 'the column to place it after', 'AFTER names a column of the same struct, without its path');
  return { kind: 'after', column: after.name };
}

/** `(def, …)` or `def, …` where def is `<name> <type>` and then NOT NULL, COMMENT, FIRST / AFTER in any order, each once. */
function columnDefinitions(p: ExpressionParser): ColumnDefinition[] {
  const parenthesized = p.isOp('(');
  const columns = list(p, () => columnDefinition(p), { parenthesized: 'optional', what: 'the columns to add', close: "NOT NULL, COMMENT, FIRST, AFTER, ',' or ')' after the column type" });
  if (!parenthesized) expectStatementEnd(p, "NOT NULL, COMMENT, FIRST, AFTER, ',' or the end of the statement after the column type");
  columns.forEach((c, i) => {
    const twice = columns.slice(0, i).find((d) => d.column.path.length === c.column.path.length && samePathOrNested(d.column.path, c.column.path));
    if (twice) throw p.error(c.column.span[0], `column ${c.column.path.join('.')} is added twice; give each new column once`);
  });
  return columns;
}

function columnDefinition(p: ExpressionParser): ColumnDefinition {
  const column = columnName(p, 'the name of the column to add');
  const type = p.parseType();
  let nullable = true;
  let comment: string | undefined;
  let position: ColumnPosition | undefined;
  const seen = new Set<string>();
  const once = (descriptor: string, pos: number): void => {
    if (seen.has(descriptor)) throw p.error(pos, `column ${column.path.join('.')} has ${descriptor} twice; give each of NOT NULL, COMMENT and FIRST / AFTER at most once`);
    seen.add(descriptor);
  };
  for (;;) {
    const t = p.token;
    if (p.isKeyword('NOT') || p.isOp('!')) {
      once('NOT NULL', t.pos);
      nullable = !acceptNotNull(p);
    } else if (p.acceptKeyword('COMMENT')) {
      once('COMMENT', t.pos);
      comment = stringLiteral(p, 'the comment as a quoted string after COMMENT').value;
    } else if (p.isKeyword('FIRST') || p.isKeyword('AFTER')) {
      once('FIRST / AFTER', t.pos);
      position = columnPosition(p);
    } else if (p.isKeyword('DEFAULT')) {
      throw p.error(t.pos, 'column DEFAULT values are not supported by deltakit; add the column without DEFAULT (new columns read as NULL)');
    } else break;
  }
  return { column, type, nullable, ...(comment === undefined ? {} : { comment }), ...(position ? { position } : {}), span: [column.span[0], p.lastEnd] };
}

const OTHER_CONSTRAINTS: Readonly<Record<string, string>> = { PRIMARY: 'PRIMARY KEY', FOREIGN: 'FOREIGN KEY', UNIQUE: 'UNIQUE' };

function addConstraint(p: ExpressionParser, table: TableRef): Unspanned {
  const name = singleName(p, 'the constraint name', 'constraint names are one name').name;
  if (!p.isKeyword('CHECK')) {
    const t = p.token;
    const other = t.kind === 'ident' && !t.quoted ? OTHER_CONSTRAINTS[t.text.toUpperCase()] : undefined;
    if (other) throw p.error(t.pos, `${other} constraints are not supported: Delta tables enforce CHECK constraints; write ADD CONSTRAINT ${name} CHECK (<condition>)`);
    p.fail('CHECK after the constraint name');
  }
  p.advance();
  p.expectOp('(', "'(' and the condition after CHECK");
  const check = p.parseExpression();
  p.expectOp(')', "')' after the condition");
  return { kind: 'addConstraint', table, name, check };
}

function clusterBy(p: ExpressionParser, table: TableRef): Omit<ClusterByStatement, 'span'> {
  p.expectKeyword('BY', 'BY after CLUSTER');
  if (p.acceptKeyword('NONE')) return { kind: 'clusterBy', table, columns: 'none' };
  if (!p.isOp('(')) p.fail("'(' and the clustering columns, or NONE, after CLUSTER BY");
  return { kind: 'clusterBy', table, columns: list(p, () => columnName(p, 'a clustering column'), { parenthesized: 'required', what: 'the clustering columns' }) };
}

// ---- ALTER / CHANGE COLUMN -------------------------------------------------------------------

/** Words that start a Spark ALTER COLUMN action. */
const ACTION_WORDS = new Set(['TYPE', 'COMMENT', 'FIRST', 'AFTER', 'SET', 'DROP', 'SYNC']);
const NO_ACTION = 'ALTER COLUMN requires a TYPE, a SET/DROP NOT NULL, a COMMENT, or a FIRST/AFTER';

function alterColumns(p: ExpressionParser, table: TableRef, verb: 'ALTER' | 'CHANGE'): Omit<AlterColumnStatement, 'span'> {
  // COLUMN is optional: it is the keyword when a column name follows it.
  if (p.isKeyword('COLUMN') && p.peek().kind === 'ident') p.advance();
  const changes: ColumnChange[] = [];
  for (;;) {
    const column = columnName(p, 'the column to change');
    const hive = verb === 'CHANGE' && changes.length === 0 && isHiveChange(p);
    const change = hive ? hiveChange(p, column) : columnAction(p, column, verb);
    const earlier = changes.find((c) => samePathOrNested(c.column.path, column.path));
    if (earlier) {
      const what = earlier.column.path.length === column.path.length ? 'twice' : `together with ${earlier.column.path.join('.')}`;
      throw p.error(column.span[0], `column ${column.path.join('.')} is changed ${what} in one ALTER COLUMN; change a column and its nested fields once per statement`);
    }
    changes.push({ column, ...change, span: [column.span[0], p.lastEnd] });
    if (hive) return { kind: 'alterColumn', table, changes };
    const next = p.token;
    if (next.kind === 'ident' && !next.quoted && ACTION_WORDS.has(next.text.toUpperCase())) {
      throw p.error(next.pos, `ALTER COLUMN makes one change per column; run one ALTER TABLE per change (or CHANGE COLUMN ${column.path.join('.')} ${column.path[column.path.length - 1]} <type> [COMMENT '…'] [FIRST | AFTER <column>])`);
    }
    if (!p.acceptOp(',')) return { kind: 'alterColumn', table, changes };
  }
}

/**
 * After `CHANGE [COLUMN] c`: true when Hive's form (`c <type> …`) follows rather than one of
 * Spark's actions. A name that is also an action word is Hive's name when the action could not
 * continue (`CHANGE first first INT`, `CHANGE c comment STRING`); `TYPE` and `AFTER` followed by
 * a name read as Spark's actions, as Spark's grammar prefers them.
 */
function isHiveChange(p: ExpressionParser): boolean {
  const t = p.token;
  if (t.kind !== 'ident') return false;
  if (t.quoted) return true;
  const next = p.peek();
  switch (t.text.toUpperCase()) {
    case 'TYPE':
    case 'AFTER':
      return false;
    case 'FIRST':
      return next.kind === 'ident';
    case 'COMMENT':
      return next.kind !== 'string';
    case 'SET':
    case 'DROP':
      return next.kind === 'ident' && !p.isKeyword('NOT', next) && !p.isKeyword('DEFAULT', next);
    case 'SYNC':
      return next.kind === 'ident' && !p.isKeyword('IDENTITY', next);
    default:
      return true;
  }
}

type Change = Omit<ColumnChange, 'column' | 'span'>;

/** One Spark action: TYPE t | COMMENT '…' | FIRST | AFTER c | SET NOT NULL | DROP NOT NULL. */
function columnAction(p: ExpressionParser, column: ColumnName, verb: string): Change {
  const t = p.token;
  if (p.acceptKeyword('TYPE')) return { type: p.parseType() };
  if (p.acceptKeyword('COMMENT')) return { comment: stringLiteral(p, 'the comment as a quoted string after COMMENT').value };
  const position = columnPosition(p);
  if (position) return { position };
  const setOrDrop = p.acceptKeyword('SET', 'DROP');
  if (setOrDrop !== undefined) {
    if (p.isKeyword('DEFAULT')) throw p.error(p.token.pos, 'column DEFAULT values are not supported by deltakit');
    if (!acceptNotNull(p)) p.fail(`NOT NULL after ${setOrDrop}`);
    return { nullable: setOrDrop === 'DROP' };
  }
  if (p.isKeyword('SYNC')) throw p.error(t.pos, 'ALTER COLUMN … SYNC IDENTITY is not supported: deltakit does not support identity columns');
  if (atStatementEnd(p) || p.isOp(',')) throw p.error(t.pos, `${NO_ACTION} after the column ${column.path.join('.')}`);
  return p.fail(verb === 'CHANGE' ? 'TYPE, COMMENT, FIRST, AFTER, SET NOT NULL, DROP NOT NULL or (Hive style) the column name and type after the column' : 'TYPE, COMMENT, FIRST, AFTER, SET NOT NULL or DROP NOT NULL after the column');
}

/** Hive's `CHANGE [COLUMN] c c <type> [COMMENT '…'] [FIRST | AFTER x]`: the name is repeated, not changed. */
function hiveChange(p: ExpressionParser, column: ColumnName): Change {
  const name = singleName(p, 'the column name', 'repeat the last name part of the column');
  const last = column.path[column.path.length - 1]!;
  if (name.name.toLowerCase() !== last.toLowerCase()) {
    throw p.error(name.span[0], `CHANGE COLUMN cannot rename a column (${last} to ${name.name}); run ALTER TABLE … RENAME COLUMN ${column.path.join('.')} TO ${name.name}`);
  }
  const type: DataType = p.parseType();
  const t = p.token;
  if (acceptNotNull(p)) throw p.error(t.pos, `NOT NULL is not supported in Hive-style CHANGE COLUMN; run ALTER TABLE … ALTER COLUMN ${column.path.join('.')} SET NOT NULL instead`);
  const comment = p.acceptKeyword('COMMENT') ? stringLiteral(p, 'the comment as a quoted string after COMMENT').value : undefined;
  const position = columnPosition(p);
  return { type, ...(comment === undefined ? {} : { comment }), ...(position ? { position } : {}) };
}

// ---- TBLPROPERTIES ---------------------------------------------------------------------------

/** Spark's reserved table properties, refused in TBLPROPERTIES, with the reason. */
const RESERVED: Readonly<Record<string, string>> = {
  provider: 'a Delta table is always provided by delta',
  location: "a path table's location is its path",
  owner: 'Spark sets it to the current user',
  external: 'Spark sets it for tables created with CREATE EXTERNAL TABLE',
};

/**
 * `(key [=] value, …)` for SET (every key has a value) or `(key, …)` for UNSET (no values). Keys
 * are quoted strings or dotted names; values are strings, numbers (kept as written) or booleans
 * (lower case). Keys are distinct and none is reserved.
 */
function propertyList(p: ExpressionParser, verb: 'SET' | 'UNSET'): TableProperty[] {
  const properties = list(p, () => property(p, verb), { parenthesized: 'required', what: `the table properties after ${verb} TBLPROPERTIES`, close: "',' or ')' after the property" });
  properties.forEach((x, i) => {
    if (properties.slice(0, i).some((y) => y.key === x.key)) throw p.error(x.span[0], `the property '${x.key}' is given twice; give each key once`);
    const reserved = RESERVED[x.key];
    if (reserved !== undefined) throw p.error(x.span[0], `'${x.key}' is a reserved table property (${reserved}); remove it from TBLPROPERTIES`);
  });
  return properties;
}

function property(p: ExpressionParser, verb: 'SET' | 'UNSET'): TableProperty {
  const t = p.token;
  let key: string;
  if (t.kind === 'string') {
    key = p.advance().text;
  } else if (t.kind === 'ident') {
    key = p.parseMultipartName('a property key').parts.join('.');
  } else {
    p.fail("a property key (a quoted string such as 'delta.appendOnly')");
  }
  const equals = p.isOp('=') || p.isOp('==') ? p.advance() : undefined;
  const v = p.token;
  const hasValue = equals !== undefined || v.kind === 'string' || v.kind === 'number' || p.isKeyword('TRUE') || p.isKeyword('FALSE');
  if (verb === 'UNSET') {
    if (hasValue) throw p.error((equals ?? v).pos, `UNSET TBLPROPERTIES takes keys only; remove the value of '${key}'`);
    return { key, value: '', span: [t.pos, p.lastEnd] };
  }
  if (!hasValue) p.fail(`'=' and the value of the property '${key}'`);
  return { key, value: propertyValue(p, key), span: [t.pos, p.lastEnd] };
}

/** A string, a plain number (as written) or TRUE / FALSE (as `true` / `false`), as Spark's propertyValue. */
function propertyValue(p: ExpressionParser, key: string): string {
  const v = p.token;
  if (v.kind === 'string') return p.advance().text;
  if (v.kind === 'number' && /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(v.text)) return p.advance().text;
  const bool = p.acceptKeyword('TRUE', 'FALSE');
  if (bool !== undefined) return bool.toLowerCase();
  return p.fail(`the value of the property '${key}' (a quoted string, a number, TRUE or FALSE)`);
}
