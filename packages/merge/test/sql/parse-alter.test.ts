import { describe, expect, it } from 'vitest';
import { decimal, field, primitive, struct, type DataType } from '@deltakit/core';
import { parseStatement, printStatement, type Statement } from '../../src/index.js';
import { e, expected, failureOf, stmt, stripStatement } from './helpers.js';

// ALTER TABLE as Spark's SqlBaseParser.g4 and Delta's DeltaSqlBase.g4 write it. Statements marked
// "Delta" are taken from Delta's DeltaAlterTableTests with the table written as a path table.

const table = { format: 'delta', path: '/data/events' };
const T = 'ALTER TABLE delta.`/data/events`';
const col = (...path: string[]) => ({ path });
const long = primitive('long');
const int = primitive('integer');
const array = (elementType: DataType): DataType => ({ kind: 'array', elementType, containsNull: true });
const map = (keyType: DataType, valueType: DataType): DataType => ({ kind: 'map', keyType, valueType, valueContainsNull: true });

describe('ALTER TABLE ADD COLUMNS', () => {
  const add = (...columns: object[]) => expected({ kind: 'addColumns', table, columns });
  const def = (path: string[], type: object, rest: object = {}) => ({ column: col(...path), type, nullable: true, ...rest });

  it('parses column lists with and without parentheses (Delta: ADD COLUMNS (v3 long, v4 double))', () => {
    expect(stmt(`${T} ADD COLUMNS (v3 long, v4 double)`)).toEqual(add(def(['v3'], long), def(['v4'], primitive('double'))));
    expect(stmt(`${T} ADD COLUMN v2 long`)).toEqual(add(def(['v2'], long)));
    expect(stmt(`${T} add columns v2 long, v3 DECIMAL(10,2)`)).toEqual(add(def(['v2'], long), def(['v3'], decimal(10, 2))));
    expect(stmt(`${T} ADD COLUMN (v2 long);`)).toEqual(add(def(['v2'], long)));
  });

  it('parses nested names, comments, positions and NOT NULL in any order (Delta)', () => {
    expect(stmt(`${T} ADD COLUMNS (v3 long FIRST, v4 long AFTER v1, v5 long)`)).toEqual(
      add(def(['v3'], long, { position: { kind: 'first' } }), def(['v4'], long, { position: { kind: 'after', column: 'v1' } }), def(['v5'], long)),
    );
    expect(stmt(`${T} ADD COLUMNS (v3 long COMMENT 'new column')`)).toEqual(add(def(['v3'], long, { comment: 'new column' })));
    expect(stmt(`${T} ADD COLUMNS (\`x.x\` long after v1, \`z.z\`.\`y.y\` double)`)).toEqual(
      add(def(['x.x'], long, { position: { kind: 'after', column: 'v1' } }), def(['z.z', 'y.y'], primitive('double'))),
    );
    expect(stmt(`${T} ADD COLUMNS (struct.\`a column name with spaces\` long)`)).toEqual(add(def(['struct', 'a column name with spaces'], long)));
    expect(stmt(`${T} ADD COLUMNS (a INT AFTER b NOT NULL COMMENT 'c', b STRING COMMENT 'd' FIRST)`)).toEqual(
      add(def(['a'], int, { nullable: false, comment: 'c', position: { kind: 'after', column: 'b' } }), def(['b'], primitive('string'), { comment: 'd', position: { kind: 'first' } })),
    );
  });

  it('reads types with the DDL type grammar (Spark names and aliases, nested types)', () => {
    const type = (text: string) => {
      const s = parseStatement(`${T} ADD COLUMN c ${text}`);
      if (s.kind !== 'addColumns') throw new Error('expected ADD COLUMNS');
      return s.columns[0]!.type;
    };
    expect(type('BIGINT')).toEqual(long);
    expect(type('varchar(10)')).toEqual(primitive('string'));
    expect(type('timestamp_ntz')).toEqual(primitive('timestamp_ntz'));
    expect(type('DECIMAL')).toEqual(decimal(10, 0));
    expect(type('ARRAY<STRUCT<v1:int, v2:string NOT NULL>>')).toEqual(array(struct([field('v1', int), field('v2', primitive('string'), false)])));
    expect(type("MAP<STRING, STRUCT<x: INT COMMENT 'inner'>>")).toEqual(map(primitive('string'), struct([field('x', int, true, { comment: 'inner' })])));
  });
});

describe('ALTER TABLE RENAME / DROP COLUMNS', () => {
  it('renames nested columns to a new last name (Delta: RENAME COLUMN a.element TO element2)', () => {
    expect(stmt(`${T} RENAME COLUMN a.element TO element2`)).toEqual(expected({ kind: 'renameColumn', table, column: col('a', 'element'), to: 'element2' }));
    expect(stmt(`${T} rename column \`old name\` to \`new name\``)).toEqual(expected({ kind: 'renameColumn', table, column: col('old name'), to: 'new name' }));
  });

  it('drops columns with and without parentheses and IF EXISTS', () => {
    const drop = (columns: object[], ifExists = false) => expected({ kind: 'dropColumns', table, columns, ifExists });
    expect(stmt(`${T} DROP COLUMN a`)).toEqual(drop([col('a')]));
    expect(stmt(`${T} DROP COLUMNS (a, b.c)`)).toEqual(drop([col('a'), col('b', 'c')]));
    expect(stmt(`${T} drop columns if exists a, b`)).toEqual(drop([col('a'), col('b')], true));
    expect(stmt(`${T} DROP COLUMN IF EXISTS (x)`)).toEqual(drop([col('x')], true));
    // a column may be named `if`
    expect(stmt(`${T} DROP COLUMN if`)).toEqual(drop([col('if')]));
  });
});

describe('ALTER TABLE ALTER / CHANGE COLUMN', () => {
  const alter = (...changes: object[]) => expected({ kind: 'alterColumn', table, changes });

  it("parses each of Spark's actions, with ALTER or CHANGE and with or without COLUMN (Delta)", () => {
    expect(stmt(`${T} CHANGE COLUMN v TYPE INT`)).toEqual(alter({ column: col('v'), type: int }));
    expect(stmt(`${T} ALTER COLUMN v TYPE BIGINT`)).toEqual(alter({ column: col('v'), type: long }));
    expect(stmt(`${T} CHANGE COLUMN a.element COMMENT 'a comment'`)).toEqual(alter({ column: col('a', 'element'), comment: 'a comment' }));
    expect(stmt(`${T} CHANGE COLUMN m.key DROP NOT NULL`)).toEqual(alter({ column: col('m', 'key'), nullable: true }));
    expect(stmt(`${T} CHANGE COLUMN m.value SET NOT NULL`)).toEqual(alter({ column: col('m', 'value'), nullable: false }));
    expect(stmt(`${T} alter v first`)).toEqual(alter({ column: col('v'), position: { kind: 'first' } }));
    expect(stmt(`${T} ALTER COLUMN s.v AFTER w`)).toEqual(alter({ column: col('s', 'v'), position: { kind: 'after', column: 'w' } }));
    expect(stmt(`${T} ALTER COLUMN column TYPE INT`)).toEqual(alter({ column: col('column'), type: int }));
  });

  it('parses a list of columns, one change each (Spark 4.1)', () => {
    expect(stmt(`${T} ALTER COLUMN a TYPE BIGINT, b COMMENT 'x', c.d AFTER e, f SET NOT NULL`)).toEqual(
      alter({ column: col('a'), type: long }, { column: col('b'), comment: 'x' }, { column: col('c', 'd'), position: { kind: 'after', column: 'e' } }, { column: col('f'), nullable: false }),
    );
  });

  it("parses Hive's CHANGE COLUMN c c <type> [COMMENT] [FIRST | AFTER] (Delta)", () => {
    expect(stmt(`${T} CHANGE COLUMN v1 v1 integer`)).toEqual(alter({ column: col('v1'), type: int }));
    expect(stmt(`${T} CHANGE COLUMN V1 v1 integer`)).toEqual(alter({ column: col('V1'), type: int }));
    expect(stmt(`${T} CHANGE COLUMN v1 v1 integer COMMENT 'a comment'`)).toEqual(alter({ column: col('v1'), type: int, comment: 'a comment' }));
    expect(stmt(`${T} CHANGE COLUMN v2 v2 string FIRST`)).toEqual(alter({ column: col('v2'), type: primitive('string'), position: { kind: 'first' } }));
    expect(stmt(`${T} CHANGE COLUMN \`z.z\`.\`x.x\` \`x.x\` integer AFTER \`y.y\``)).toEqual(alter({ column: col('z.z', 'x.x'), type: int, position: { kind: 'after', column: 'y.y' } }));
    expect(stmt(`${T} CHANGE COLUMN s s struct<V1:integer,v2:string> AFTER v2`)).toEqual(
      alter({ column: col('s'), type: struct([field('V1', int), field('v2', primitive('string'))]), position: { kind: 'after', column: 'v2' } }),
    );
    expect(stmt(`${T} CHANGE struct.v1 v1 long COMMENT 'c' FIRST`)).toEqual(alter({ column: col('struct', 'v1'), type: long, comment: 'c', position: { kind: 'first' } }));
    // names that are also action words, when the action could not continue
    expect(stmt(`${T} CHANGE COLUMN s.first first STRUCT<x: INT> FIRST`)).toEqual(alter({ column: col('s', 'first'), type: struct([field('x', int)]), position: { kind: 'first' } }));
    expect(stmt(`${T} CHANGE comment comment STRING COMMENT 'c'`)).toEqual(alter({ column: col('comment'), type: primitive('string'), comment: 'c' }));
    expect(stmt(`${T} CHANGE set set INT`)).toEqual(alter({ column: col('set'), type: int }));
    expect(stmt(`${T} CHANGE \`type\` \`type\` INT`)).toEqual(alter({ column: col('type'), type: int }));
    // TYPE and AFTER followed by a name are Spark's actions, as in Spark's grammar
    expect(stmt(`${T} CHANGE type type INT`)).toEqual(alter({ column: col('type'), type: int }));
    expect(stmt(`${T} CHANGE after after x`)).toEqual(alter({ column: col('after'), position: { kind: 'after', column: 'x' } }));
  });
});

describe('ALTER TABLE properties, constraints and clustering', () => {
  it('sets properties written as strings, dotted names, numbers and booleans (Delta)', () => {
    const props = (...p: Array<[string, string]>) => expected({ kind: 'setProperties', table, properties: p.map(([key, value]) => ({ key, value })) });
    expect(stmt(`${T} SET TBLPROPERTIES ('delta.appendOnly' = 'true')`)).toEqual(props(['delta.appendOnly', 'true']));
    expect(stmt(`${T} SET TBLPROPERTIES ('delta.constraints.c1'='age >= 25')`)).toEqual(props(['delta.constraints.c1', 'age >= 25']));
    expect(stmt(`${T} set tblproperties (delta.enableChangeDataFeed = TRUE, delta.checkpointInterval 5, 'x' 1.50, "dq" = "v", k == false)`)).toEqual(
      props(['delta.enableChangeDataFeed', 'true'], ['delta.checkpointInterval', '5'], ['x', '1.50'], ['dq', 'v'], ['k', 'false']),
    );
  });

  it('unsets properties, with IF EXISTS', () => {
    expect(stmt(`${T} UNSET TBLPROPERTIES ('delta.deletedFileRetentionDuration')`)).toEqual(expected({ kind: 'unsetProperties', table, keys: ['delta.deletedFileRetentionDuration'], ifExists: false }));
    expect(stmt(`${T} unset tblproperties if exists (a.b, 'c')`)).toEqual(expected({ kind: 'unsetProperties', table, keys: ['a.b', 'c'], ifExists: true }));
  });

  it('adds and drops CHECK constraints', () => {
    expect(stmt(`${T} ADD CONSTRAINT c1 CHECK (age >= 25 AND name IS NOT NULL)`)).toEqual(expected({ kind: 'addConstraint', table, name: 'c1', check: e('age >= 25 AND name IS NOT NULL') }));
    expect(stmt(`${T} add constraint \`my check\` check ((a + b) > 0)`)).toEqual(expected({ kind: 'addConstraint', table, name: 'my check', check: e('(a + b) > 0') }));
    expect(stmt(`${T} DROP CONSTRAINT c1`)).toEqual(expected({ kind: 'dropConstraint', table, name: 'c1', ifExists: false }));
    expect(stmt(`${T} DROP CONSTRAINT IF EXISTS c1`)).toEqual(expected({ kind: 'dropConstraint', table, name: 'c1', ifExists: true }));
  });

  it('clusters by columns or NONE (Delta: CLUSTER BY (a.b, a.c), `a.b.c`, `a,b`)', () => {
    expect(stmt(`${T} CLUSTER BY (a.b, a.c)`)).toEqual(expected({ kind: 'clusterBy', table, columns: [col('a', 'b'), col('a', 'c')] }));
    expect(stmt(`${T} CLUSTER BY (\`a.b.c\`, \`a,b\`)`)).toEqual(expected({ kind: 'clusterBy', table, columns: [col('a.b.c'), col('a,b')] }));
    expect(stmt(`${T} cluster by none`)).toEqual(expected({ kind: 'clusterBy', table, columns: 'none' }));
    expect(stmt(`${T} CLUSTER BY (none)`)).toEqual(expected({ kind: 'clusterBy', table, columns: [col('none')] }));
  });
});

/** [statement, where the caret must be (the last occurrence of this text; '' for the end), message] */
const ERRORS: Array<[string, string, RegExp]> = [
  ['ALTER delta.`/t` ADD COLUMN a INT', 'delta', /expected TABLE after ALTER, found 'delta'/],
  ['ALTER VIEW v AS SELECT 1', 'VIEW', /ALTER VIEW is not supported/],
  ["ALTER TABLE '/t' ADD COLUMN a INT", "'/t'", /expected the table written as delta.`\/t` after ALTER TABLE, found a quoted string/],
  ['ALTER TABLE events ADD COLUMN a INT', 'events', /'events' is a table name, but deltakit has no catalog of table names/],
  [`${T}`, '', /expected ADD COLUMNS, ADD CONSTRAINT, RENAME COLUMN, DROP COLUMNS, DROP CONSTRAINT, ALTER COLUMN, CHANGE COLUMN, SET TBLPROPERTIES, UNSET TBLPROPERTIES or CLUSTER BY after the table, found end of input/],
  [`${T} SET LOCATION '/x'`, 'LOCATION', /expected TBLPROPERTIES after SET/],
  [`${T} ADD PARTITION (p = 1)`, 'PARTITION', /expected COLUMN, COLUMNS or CONSTRAINT after ADD, found 'PARTITION'/],
  [`${T} ADD COLUMNS`, '', /expected the name of the column to add, found end of input/],
  [`${T} ADD COLUMNS (a)`, ')', /expected a data type, found '\)'/],
  [`${T} ADD COLUMN a`, '', /expected a data type, found end of input/],
  [`${T} ADD COLUMNS (a INTEGRAL)`, 'INTEGRAL', /unknown data type "INTEGRAL"/],
  [`${T} ADD COLUMNS (a DECIMAL(40,2))`, 'DECIMAL', /DECIMAL\(40,2\) is out of range/],
  [`${T} ADD COLUMNS (a INT b INT)`, 'b INT)', /expected NOT NULL, COMMENT, FIRST, AFTER, ',' or '\)' after the column type, found 'b'/],
  [`${T} ADD COLUMNS a INT b INT`, 'b INT', /expected NOT NULL, COMMENT, FIRST, AFTER, ',' or the end of the statement after the column type, found 'b'/],
  [`${T} ADD COLUMNS (a INT) x`, 'x', /expected the end of the statement, found 'x'/],
  [`${T} ADD COLUMNS (a INT COMMENT 'x' COMMENT 'y')`, "COMMENT 'y'", /column a has COMMENT twice; give each of NOT NULL, COMMENT and FIRST \/ AFTER at most once/],
  [`${T} ADD COLUMNS (a INT FIRST AFTER b)`, 'AFTER', /column a has FIRST \/ AFTER twice/],
  [`${T} ADD COLUMNS (a INT NOT NULL NOT NULL)`, 'NOT NULL)', /column a has NOT NULL twice/],
  [`${T} ADD COLUMNS (a INT NOT 5)`, '5', /expected NULL after NOT, found '5'/],
  [`${T} ADD COLUMNS (a INT COMMENT x)`, 'x)', /expected the comment as a quoted string after COMMENT, found 'x'/],
  [`${T} ADD COLUMNS (a INT AFTER b.c)`, 'b.c', /expected the column to place it after, found the path 'b.c'; AFTER names a column of the same struct, without its path/],
  [`${T} ADD COLUMNS (a INT DEFAULT 0)`, 'DEFAULT', /column DEFAULT values are not supported by deltakit/],
  [`${T} ADD COLUMNS (a INT, b INT, A STRING)`, 'A STRING', /column A is added twice; give each new column once/],
  [`${T} ADD COLUMNS (s.x INT, S.X INT)`, 'S.X', /column S.X is added twice/],
  [`${T} ADD COLUMNS (my-col INT)`, 'my-col', /'my-col' is not a valid name: back-quote names that contain '-'/],
  [`${T} RENAME TO delta.\`/u\``, 'TO', /a path table cannot be renamed/],
  [`${T} RENAME a TO b`, 'a TO', /expected COLUMN after RENAME, found 'a'/],
  [`${T} RENAME COLUMN a b`, 'b', /expected TO and the new name after the column, found 'b'/],
  [`${T} RENAME COLUMN a.b TO a.c`, 'a.c', /expected the new column name, found the path 'a.c'; RENAME COLUMN gives the last name part a new name/],
  [`${T} DROP COLUMNS`, '', /expected a column to drop, found end of input/],
  [`${T} DROP COLUMNS (a b)`, 'b)', /expected ',' or '\)' after the column, found 'b'/],
  [`${T} DROP COLUMNS a b`, 'b', /expected the end of the statement, found 'b'/],
  [`${T} DROP PARTITION (p = 1)`, 'PARTITION', /expected COLUMN, COLUMNS or CONSTRAINT after DROP/],
  [`${T} DROP FEATURE deletionVectors`, 'FEATURE', /DROP FEATURE is not supported/],
  [`${T} ALTER COLUMN a`, '', /ALTER COLUMN requires a TYPE, a SET\/DROP NOT NULL, a COMMENT, or a FIRST\/AFTER after the column a/],
  [`${T} ALTER COLUMN a TYPE BIGINT, b`, '', /ALTER COLUMN requires a TYPE.* after the column b/],
  [`${T} ALTER COLUMN a TYPE INT COMMENT 'x'`, 'COMMENT', /ALTER COLUMN makes one change per column; run one ALTER TABLE per change \(or CHANGE COLUMN a a <type> \[COMMENT '…'\] \[FIRST \| AFTER <column>\]\)/],
  [`${T} ALTER COLUMN a SET NOT NULL FIRST`, 'FIRST', /ALTER COLUMN makes one change per column/],
  [`${T} ALTER COLUMN a TYPE`, '', /expected a data type, found end of input/],
  [`${T} ALTER COLUMN a SET NULL`, 'NULL', /expected NOT NULL after SET, found 'NULL'/],
  [`${T} ALTER COLUMN a DROP DEFAULT`, 'DEFAULT', /column DEFAULT values are not supported/],
  [`${T} CHANGE COLUMN v set default cast('a' as varchar(1))`, 'default', /column DEFAULT values are not supported/],
  [`${T} ALTER COLUMN a SYNC IDENTITY`, 'SYNC', /SYNC IDENTITY is not supported/],
  [`${T} ALTER COLUMN a b INT`, 'b INT', /expected TYPE, COMMENT, FIRST, AFTER, SET NOT NULL or DROP NOT NULL after the column, found 'b'/],
  [`${T} ALTER COLUMN a TYPE INT, a.b COMMENT 'x'`, 'a.b', /column a.b is changed together with a in one ALTER COLUMN; change a column and its nested fields once per statement/],
  [`${T} ALTER COLUMN a TYPE INT, A FIRST`, 'A FIRST', /column A is changed twice in one ALTER COLUMN/],
  [`${T} CHANGE COLUMN v2 v3 string`, 'v3', /CHANGE COLUMN cannot rename a column \(v2 to v3\); run ALTER TABLE … RENAME COLUMN v2 TO v3/],
  [`${T} CHANGE COLUMN struct.v2 v3 string`, 'v3', /CHANGE COLUMN cannot rename a column \(v2 to v3\); run ALTER TABLE … RENAME COLUMN struct.v2 TO v3/],
  [`${T} CHANGE COLUMN a a INT NOT NULL`, 'NOT', /NOT NULL is not supported in Hive-style CHANGE COLUMN; run ALTER TABLE … ALTER COLUMN a SET NOT NULL instead/],
  [`${T} CHANGE COLUMN a a INT FIRST COMMENT 'x'`, 'COMMENT', /expected the end of the statement, found 'COMMENT'/],
  [`${T} CHANGE COLUMN a a INT, b b INT`, ',', /expected the end of the statement, found ','/],
  [`${T} CHANGE COLUMN a`, '', /ALTER COLUMN requires a TYPE/],
  [`${T} SET TBLPROPERTIES`, '', /expected '\(' and the table properties after SET TBLPROPERTIES, found end of input/],
  [`${T} SET TBLPROPERTIES ()`, ')', /expected a property key \(a quoted string such as 'delta.appendOnly'\), found '\)'/],
  [`${T} SET TBLPROPERTIES ('a')`, ')', /expected '=' and the value of the property 'a', found '\)'/],
  [`${T} SET TBLPROPERTIES ('a' =)`, ')', /expected the value of the property 'a' \(a quoted string, a number, TRUE or FALSE\), found '\)'/],
  [`${T} SET TBLPROPERTIES ('a' = x)`, 'x', /expected the value of the property 'a' \(a quoted string, a number, TRUE or FALSE\), found 'x'/],
  [`${T} SET TBLPROPERTIES ('a' = 5L)`, '5L', /expected the value of the property 'a'/],
  [`${T} SET TBLPROPERTIES ('a' = 'x' 'b' = 'y')`, "'b'", /expected ',' or '\)' after the property, found the string 'b'/],
  [`${T} SET TBLPROPERTIES ('k'='1', 'k'='2')`, "'k'='2'", /the property 'k' is given twice; give each key once/],
  [`${T} SET TBLPROPERTIES ('provider' = 'parquet')`, "'provider'", /'provider' is a reserved table property \(a Delta table is always provided by delta\); remove it from TBLPROPERTIES/],
  [`${T} SET TBLPROPERTIES (location = '/x')`, 'location', /'location' is a reserved table property/],
  [`${T} SET TBLPROPERTIES ('owner' = 'me')`, "'owner'", /'owner' is a reserved table property/],
  [`${T} UNSET TBLPROPERTIES ('a' = 'b')`, '=', /UNSET TBLPROPERTIES takes keys only; remove the value of 'a'/],
  [`${T} UNSET TBLPROPERTIES ('a' 'b')`, "'b'", /UNSET TBLPROPERTIES takes keys only; remove the value of 'a'/],
  [`${T} UNSET TBLPROPERTIES ('a', 'a')`, "'a')", /the property 'a' is given twice/],
  [`${T} UNSET TBLPROPERTIES IF ('a')`, 'IF', /expected '\(' and the table properties after UNSET TBLPROPERTIES, found 'IF'/],
  [`${T} ADD CONSTRAINT c1 (a > 0)`, '(', /expected CHECK after the constraint name, found '\('/],
  [`${T} ADD CONSTRAINT pk PRIMARY KEY (id)`, 'PRIMARY', /PRIMARY KEY constraints are not supported: Delta tables enforce CHECK constraints; write ADD CONSTRAINT pk CHECK \(<condition>\)/],
  [`${T} ADD CONSTRAINT c1 CHECK a > 0`, 'a >', /expected '\(' and the condition after CHECK, found 'a'/],
  [`${T} ADD CONSTRAINT c1 CHECK ()`, ')', /expected a column name, literal or \(, found '\)'/],
  [`${T} ADD CONSTRAINT c1 CHECK (a > 0`, '', /expected '\)' after the condition, found end of input/],
  [`${T} ADD CONSTRAINT a.b CHECK (true)`, 'a.b', /expected the constraint name, found the path 'a.b'; constraint names are one name/],
  [`${T} DROP CONSTRAINT`, '', /expected the constraint name, found end of input/],
  [`${T} DROP CONSTRAINT c1 CASCADE`, 'CASCADE', /expected the end of the statement, found 'CASCADE'/],
  [`${T} CLUSTER (a)`, '(a)', /expected BY after CLUSTER, found '\('/],
  [`${T} CLUSTER BY a, b`, 'a,', /expected '\(' and the clustering columns, or NONE, after CLUSTER BY, found 'a'/],
  [`${T} CLUSTER BY ()`, ')', /expected a clustering column, found '\)'/],
  [`${T} CLUSTER BY NONE (a)`, '(a)', /expected the end of the statement, found '\('/],
  [`${T} REPLACE COLUMNS (a INT)`, 'REPLACE', /REPLACE COLUMNS is not supported/],
];

describe('ALTER TABLE errors', () => {
  it.each(ERRORS)('%j fails at %j', (text, at, message) => {
    const f = failureOf(text);
    expect(f.message).toMatch(message);
    expect(f.position).toBe(at === '' ? text.length : text.lastIndexOf(at));
  });
});

describe('printing ALTER TABLE', () => {
  it('prints statements that parse back to the same statement', () => {
    const texts = [
      `${T} ADD COLUMNS (a INT NOT NULL COMMENT 'it''s \\\\ here' FIRST, \`odd.name\`.b ARRAY<MAP<STRING, DECIMAL(38,18)>> AFTER \`first\`)`,
      `${T} ADD COLUMN s STRUCT<\`a b\`: INT NOT NULL COMMENT 'x\\'y', c: STRUCT<>, d: TIMESTAMP_NTZ, e: VARCHAR(3), f: BINARY, g: TINYINT, h: SMALLINT, i: FLOAT, j: DATE, k: BOOLEAN, l: VARIANT, m: TIMESTAMP>`,
      `${T} RENAME COLUMN a.\`type\` TO \`comment\``,
      `${T} DROP COLUMNS IF EXISTS (a, if, exists.b)`,
      `${T} DROP COLUMN x`,
      `${T} ALTER COLUMN a TYPE BIGINT, b COMMENT '', c.d FIRST, e AFTER \`f g\`, h SET NOT NULL, i DROP NOT NULL`,
      `${T} CHANGE COLUMN \`type\` \`type\` INT COMMENT 'x' AFTER first`,
      `${T} CHANGE COLUMN s.first first STRUCT<x: INT> FIRST`,
      `${T} CHANGE COLUMN a a LONG`,
      `${T} SET TBLPROPERTIES ('delta.appendOnly' = true, x.y = 1.50, 'q' = 'it''s')`,
      `${T} UNSET TBLPROPERTIES IF EXISTS ('a', b.c)`,
      `${T} ADD CONSTRAINT \`check\` CHECK (a > 0 AND b LIKE 'x%' OR c IS NULL)`,
      `${T} DROP CONSTRAINT IF EXISTS none`,
      `${T} CLUSTER BY (a.b, \`c,d\`, none)`,
      `${T} CLUSTER BY NONE`,
    ];
    for (const text of texts) {
      const parsed: Statement = parseStatement(text);
      const printed = printStatement(parsed);
      expect(stripStatement(parseStatement(printed)), printed).toEqual(stripStatement(parsed));
    }
    expect(printStatement(parseStatement(`${T} change column v1 v1 int comment 'c'`))).toBe(`${T} CHANGE COLUMN v1 v1 INT COMMENT 'c'`);
    expect(printStatement(parseStatement(`${T} change column v1 v1 int`))).toBe(`${T} ALTER COLUMN v1 TYPE INT`);
    expect(printStatement(parseStatement(`${T} add column a int`))).toBe(`${T} ADD COLUMNS (a INT)`);
  });

  it('refuses to print a column change that no statement expresses', () => {
    const s = parseStatement(`${T} ALTER COLUMN a COMMENT 'x'`);
    if (s.kind !== 'alterColumn') throw new Error('expected ALTER COLUMN');
    const bad = { ...s, changes: [{ ...s.changes[0]!, nullable: false }] };
    expect(() => printStatement(bad)).toThrow(/The change of column a cannot be written as SQL: ALTER COLUMN makes one change per column/);
  });

  it('gives spans for the statement, column definitions, changes and the CHECK condition', () => {
    const text = `${T} ADD COLUMNS (a INT COMMENT 'c', b.c STRING FIRST)`;
    const s = parseStatement(text);
    if (s.kind !== 'addColumns') throw new Error('expected ADD COLUMNS');
    expect(text.slice(...s.span)).toBe(text);
    expect(s.columns.map((c) => text.slice(...c.span))).toEqual(["a INT COMMENT 'c'", 'b.c STRING FIRST']);
    expect(s.columns.map((c) => text.slice(...c.column.span))).toEqual(['a', 'b.c']);
    const check = `${T} ADD CONSTRAINT c CHECK ( x > 1 );`;
    const c = parseStatement(check);
    if (c.kind !== 'addConstraint') throw new Error('expected ADD CONSTRAINT');
    expect(check.slice(...c.check.span!)).toBe('x > 1');
    const change = `${T} ALTER COLUMN a TYPE INT, b.c COMMENT 'x'`;
    const a = parseStatement(change);
    if (a.kind !== 'alterColumn') throw new Error('expected ALTER COLUMN');
    expect(a.changes.map((x) => change.slice(...x.span))).toEqual(['a TYPE INT', "b.c COMMENT 'x'"]);
  });
});
