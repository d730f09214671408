import { describe, expect, it } from 'vitest';
import { parseStatement, printStatement, type Statement } from '../../src/index.js';
import { e, expected, failureOf, stmt, stripStatement } from './helpers.js';

// OPTIMIZE, VACUUM, RESTORE and DESCRIBE as Delta's grammar (DeltaSqlBase.g4) writes them; the
// statements marked "Delta" are taken from DeltaSqlParserSuite / DeltaVacuumSuite with the table
// written as a path table.

const table = { format: 'delta', path: '/data/events' };
const T = 'delta.`/data/events`';
const col = (...path: string[]) => ({ path });

describe('OPTIMIZE', () => {
  it('parses every form (Delta: OPTIMIZE tbl [FULL] [WHERE part = 1] [ZORDER BY …])', () => {
    const optimize = (rest: object) => expected({ kind: 'optimize', table, full: false, zOrderBy: [], ...rest });
    expect(stmt(`OPTIMIZE ${T}`)).toEqual(optimize({}));
    expect(stmt(`OPTIMIZE ${T} WHERE part = 1`)).toEqual(optimize({ where: e('part = 1') }));
    expect(stmt(`OPTIMIZE ${T} ZORDER BY (col1)`)).toEqual(optimize({ zOrderBy: [col('col1')] }));
    expect(stmt(`OPTIMIZE ${T} WHERE part = 1 ZORDER BY col1, col2.subcol`)).toEqual(optimize({ where: e('part = 1'), zOrderBy: [col('col1'), col('col2', 'subcol')] }));
    expect(stmt(`OPTIMIZE ${T} WHERE part = 1 ZORDER BY (col1, col2.subcol)`)).toEqual(optimize({ where: e('part = 1'), zOrderBy: [col('col1'), col('col2', 'subcol')] }));
    expect(stmt(`OPTIMIZE ${T} FULL`)).toEqual(optimize({ full: true }));
    expect(stmt(`OPTIMIZE ${T} FULL WHERE d >= DATE '2024-01-01' AND d < DATE '2024-02-01';`)).toEqual(optimize({ full: true, where: e("d >= DATE '2024-01-01' AND d < DATE '2024-02-01'") }));
  });

  it('takes its new keywords as column names (Delta: non-reserved OPTIMIZE, ZORDER, FULL)', () => {
    expect(stmt(`OPTIMIZE ${T} WHERE zorder = 1 and optimize = 2 and full = 3`)).toEqual(
      expected({ kind: 'optimize', table, full: false, where: e('zorder = 1 and optimize = 2 and full = 3'), zOrderBy: [] }),
    );
    expect(stmt(`OPTIMIZE ${T} ZORDER BY (optimize, zorder, full)`)).toEqual(expected({ kind: 'optimize', table, full: false, zOrderBy: [col('optimize'), col('zorder'), col('full')] }));
    expect(stmt(`optimize ${T} zorder by \`a b\`, \`c.d\`.e`)).toEqual(expected({ kind: 'optimize', table, full: false, zOrderBy: [col('a b'), col('c.d', 'e')] }));
  });
});

describe('table references of maintenance statements', () => {
  it('takes Delta quoted paths for OPTIMIZE, VACUUM and DESCRIBE, adjacent strings joined (Delta: string coalescing)', () => {
    for (const path of ["'/path/to/table'", "'/path/to' '/table'", "'/path' '/to' '/table'", '"/path/to/table"']) {
      const ref = { format: 'delta', path: '/path/to/table' };
      expect(stmt(`OPTIMIZE ${path}`)).toEqual(expected({ kind: 'optimize', table: ref, full: false, zOrderBy: [] }));
      expect(stmt(`VACUUM ${path}`)).toEqual(expected({ kind: 'vacuum', table: ref, dryRun: false }));
      expect(stmt(`DESCRIBE HISTORY ${path}`)).toEqual(expected({ kind: 'describeHistory', table: ref }));
      expect(stmt(`DESCRIBE DETAIL ${path}`)).toEqual(expected({ kind: 'describeDetail', table: ref }));
    }
  });

  it('takes relative paths and URIs, and spans the table as written', () => {
    expect(parseStatement('VACUUM delta.`relative/t`')).toMatchObject({ table: { format: 'delta', path: 'relative/t' } });
    expect(parseStatement("OPTIMIZE 's3://bucket/t' ZORDER BY a")).toMatchObject({ table: { format: 'delta', path: 's3://bucket/t' } });
    const text = "OPTIMIZE '/a' '/b' WHERE x = 1";
    const s = parseStatement(text);
    if (s.kind !== 'optimize') throw new Error('expected OPTIMIZE');
    expect(text.slice(...s.table.span)).toBe("'/a' '/b'");
  });
});

describe('VACUUM', () => {
  const vacuum = (rest: object) => expected({ kind: 'vacuum', table, dryRun: false, ...rest });

  it('parses each clause, in any order (Delta: VACUUM tbl LITE DRY RUN RETAIN 0 HOURS)', () => {
    expect(stmt(`VACUUM ${T}`)).toEqual(vacuum({}));
    expect(stmt(`VACUUM ${T} RETAIN 168 HOURS`)).toEqual(vacuum({ retentionHours: 168 }));
    expect(stmt(`VACUUM ${T} DRY RUN`)).toEqual(vacuum({ dryRun: true }));
    expect(stmt(`VACUUM ${T} LITE`)).toEqual(vacuum({ mode: 'lite' }));
    expect(stmt(`VACUUM ${T} FULL RETAIN 0 HOURS`)).toEqual(vacuum({ mode: 'full', retentionHours: 0 }));
    expect(stmt(`VACUUM ${T} RETAIN 10000 HOURS DRY RUN`)).toEqual(vacuum({ retentionHours: 10000, dryRun: true }));
    const all = { mode: 'lite', retentionHours: 0, dryRun: true };
    for (const order of ['LITE DRY RUN RETAIN 0 HOURS', 'DRY RUN LITE RETAIN 0 HOURS', 'RETAIN 0 HOURS DRY RUN LITE', 'dry run retain 0 hours lite;']) {
      expect(stmt(`vacuum ${T} ${order}`), order).toEqual(vacuum(all));
    }
  });

  it("reads the retention as Delta's number rule does (a double, any numeric literal)", () => {
    const hours = (n: string) => (parseStatement(`VACUUM ${T} RETAIN ${n} HOURS`) as { retentionHours: number }).retentionHours;
    expect([hours('0.5'), hours('.25'), hours('1e2'), hours('1.5E1'), hours('10L'), hours('7D'), hours('3BD'), hours('2S'), hours('1Y'), hours('-1'), hours('-0.5')]).toEqual([0.5, 0.25, 100, 15, 10, 7, 3, 2, 1, -1, -0.5]);
  });
});

describe('RESTORE', () => {
  const restore = (target: object) => expected({ kind: 'restore', table, target });

  it('parses versions and timestamps with every optional word (Delta: RESTORE delta.`/tmp` TO VERSION AS OF 1)', () => {
    expect(stmt(`RESTORE ${T} TO VERSION AS OF 1;`)).toEqual(restore({ version: 1 }));
    expect(stmt(`RESTORE TABLE ${T} TO VERSION AS OF 0`)).toEqual(restore({ version: 0 }));
    expect(stmt(`RESTORE ${T} VERSION AS OF 12`)).toEqual(restore({ version: 12 }));
    expect(stmt(`restore table ${T} to for system_version as of '7'`)).toEqual(restore({ version: 7 }));
    expect(stmt(`RESTORE ${T} TO TIMESTAMP AS OF '2024-01-31 12:00:00'`)).toEqual(restore({ timestamp: '2024-01-31 12:00:00' }));
    expect(stmt(`RESTORE ${T} FOR SYSTEM_TIME AS OF '2024-01-31'`)).toEqual(restore({ timestamp: '2024-01-31' }));
    expect(stmt(`RESTORE ${T} TO TIMESTAMP AS OF '2024-01-31T12:00:00.123456+02:00'`)).toEqual(restore({ timestamp: '2024-01-31T12:00:00.123456+02:00' }));
    expect(stmt(`RESTORE ${T} TO VERSION AS OF ${Number.MAX_SAFE_INTEGER}`)).toEqual(restore({ version: Number.MAX_SAFE_INTEGER }));
  });
});

describe('DESCRIBE', () => {
  it('parses DESCRIBE / DESC DETAIL and HISTORY with LIMIT', () => {
    expect(stmt(`DESCRIBE DETAIL ${T}`)).toEqual(expected({ kind: 'describeDetail', table }));
    expect(stmt(`desc detail ${T};`)).toEqual(expected({ kind: 'describeDetail', table }));
    expect(stmt(`DESCRIBE HISTORY ${T}`)).toEqual(expected({ kind: 'describeHistory', table }));
    expect(stmt(`DESC HISTORY ${T} LIMIT 5`)).toEqual(expected({ kind: 'describeHistory', table, limit: 5 }));
    expect(stmt(`describe history ${T} limit 0`)).toEqual(expected({ kind: 'describeHistory', table, limit: 0 }));
  });
});

describe('keyword case', () => {
  it('reads every keyword in any letter case', () => {
    // keywords upper case; names, paths and strings lower case, so that only keywords change case
    const texts = [
      `OPTIMIZE ${T} FULL WHERE part = 1 ZORDER BY (a, b.c)`,
      "OPTIMIZE '/p' ZORDER BY a",
      `VACUUM ${T} LITE RETAIN 1 HOURS DRY RUN`,
      `RESTORE TABLE ${T} TO FOR SYSTEM_VERSION AS OF 3`,
      `RESTORE ${T} TO TIMESTAMP AS OF '2024-01-31'`,
      `DESC HISTORY ${T} LIMIT 3`,
      `DESCRIBE DETAIL ${T}`,
      `ALTER TABLE ${T} ADD COLUMNS (a INT NOT NULL COMMENT 'c' FIRST, b.c ARRAY<STRUCT<x: DECIMAL(5,2)>> AFTER a)`,
      `ALTER TABLE ${T} RENAME COLUMN a.b TO c`,
      `ALTER TABLE ${T} DROP COLUMNS IF EXISTS (a, b)`,
      `ALTER TABLE ${T} ALTER COLUMN a TYPE BIGINT, b SET NOT NULL, c DROP NOT NULL, d AFTER e`,
      `ALTER TABLE ${T} CHANGE COLUMN a a STRING COMMENT 'c' FIRST`,
      `ALTER TABLE ${T} SET TBLPROPERTIES ('delta.appendonly' = TRUE)`,
      `ALTER TABLE ${T} UNSET TBLPROPERTIES IF EXISTS ('k')`,
      `ALTER TABLE ${T} ADD CONSTRAINT c CHECK (a > 0 AND b IS NOT NULL)`,
      `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS c`,
      `ALTER TABLE ${T} CLUSTER BY NONE`,
    ];
    const mixed = (text: string) => text.replace(/\b[A-Z_]{2,}\b/g, (w) => [...w].map((c, i) => (i % 2 ? c.toLowerCase() : c)).join(''));
    for (const text of texts) {
      const upper = stmt(text);
      expect(stmt(text.toLowerCase()), text).toEqual(upper);
      expect(stmt(mixed(text)), mixed(text)).toEqual(upper);
    }
  });
});

/** [statement, where the caret must be (the last occurrence of this text; '' for the end), message] */
const ERRORS: Array<[string, string, RegExp]> = [
  ['OPTIMIZE', '', /expected a table written as delta.`\/path\/to\/table`, found end of input/],
  ['OPTIMIZE events', 'events', /'events' is a table name, but deltakit has no catalog of table names/],
  ['OPTIMIZE parquet.`/t`', 'parquet', /the table of OPTIMIZE must be a Delta table: write delta.`\/t`/],
  ["OPTIMIZE ''", "''", /the table path is empty/],
  [`OPTIMIZE ${T} ZORDER (a)`, '(a)', /expected BY after ZORDER, found '\('/],
  [`OPTIMIZE ${T} ZORDER BY`, '', /expected a column to Z-order by, found end of input/],
  [`OPTIMIZE ${T} ZORDER BY ()`, ')', /expected a column to Z-order by, found '\)'/],
  [`OPTIMIZE ${T} ZORDER BY (a, b`, '', /expected ',' or '\)' after the column, found end of input/],
  [`OPTIMIZE ${T} ZORDER BY a WHERE x = 1`, 'WHERE', /WHERE must come before ZORDER BY/],
  [`OPTIMIZE ${T} ZORDER BY a b`, 'b', /expected ',' or the end of the statement, found 'b'/],
  [`OPTIMIZE ${T} ZORDER BY (a), b`, ',', /expected the end of the statement, found ','/],
  [`OPTIMIZE ${T} WHERE`, '', /expected a column name, literal or \(, found end of input/],
  [`OPTIMIZE ${T} WHERE x = 1 LIMIT 3`, 'LIMIT', /expected ZORDER BY or the end of the statement, found 'LIMIT'/],
  [`OPTIMIZE ${T} ORDER BY a`, 'ORDER', /expected FULL, WHERE, ZORDER BY or the end of the statement, found 'ORDER'/],
  [`OPTIMIZE ${T} FULL FULL`, 'FULL', /expected WHERE, ZORDER BY or the end of the statement, found 'FULL'/],
  [`VACUUM ${T} RETAIN 7 DAYS`, 'DAYS', /expected HOURS after the retention \(VACUUM retains a number of hours\), found 'DAYS'/],
  [`VACUUM ${T} RETAIN HOURS`, 'HOURS', /expected the retention in hours \(a number\) after RETAIN, found 'HOURS'/],
  [`VACUUM ${T} RETAIN '7' HOURS`, "'7'", /expected the retention in hours \(a number\) after RETAIN, found the string '7'/],
  [`VACUUM ${T} RETAIN 1e999 HOURS`, '1e999', /1e999 is out of range for the retention/],
  [`VACUUM ${T} DRY`, '', /expected RUN after DRY, found end of input/],
  [`VACUUM ${T} DRY RUN DRY RUN`, 'DRY', /found duplicate clauses: DRY RUN; VACUUM takes each of LITE \/ FULL, RETAIN <n> HOURS and DRY RUN at most once/],
  [`VACUUM ${T} RETAIN 200 HOURS RETAIN 200 HOURS`, 'RETAIN', /found duplicate clauses: RETAIN/],
  [`VACUUM ${T} FULL LITE`, 'LITE', /found duplicate clauses: LITE\/FULL/],
  [`VACUUM ${T} USING INVENTORY delta.\`/inv\``, 'USING', /VACUUM … USING INVENTORY is not supported/],
  [`VACUUM ${T} NOW`, 'NOW', /expected LITE, FULL, RETAIN <n> HOURS, DRY RUN or the end of the statement, found 'NOW'/],
  [`VACUUM ${T} LITE NOW`, 'NOW', /expected another VACUUM clause \(LITE, FULL, RETAIN <n> HOURS, DRY RUN\) or the end of the statement, found 'NOW'/],
  ['VACUUM delta.`/t`; VACUUM delta.`/u`', 'VACUUM', /expected the end of the statement, found 'VACUUM'; run one statement at a time/],
  [`RESTORE ${T}`, '', /expected TO, VERSION AS OF <version> or TIMESTAMP AS OF '<timestamp>' after the table of RESTORE, found end of input/],
  [`RESTORE ${T} TO 3`, '3', /expected VERSION AS OF <version> or TIMESTAMP AS OF '<timestamp>' after the table of RESTORE, found '3'/],
  [`RESTORE ${T} FOR 3`, '3', /expected VERSION or TIMESTAMP after FOR, found '3'/],
  [`RESTORE ${T} TO VERSION 3`, '3', /expected AS OF after VERSION, found '3'/],
  [`RESTORE ${T} TO VERSION AS 3`, '3', /expected OF after VERSION AS, found '3'/],
  [`RESTORE ${T} TO VERSION AS OF -1`, '-', /expected the version to restore \(an integer\), found '-'/],
  [`RESTORE ${T} TO VERSION AS OF 1.5`, '1.5', /expected the version to restore \(an integer\), found '1.5'/],
  [`RESTORE ${T} TO VERSION AS OF 3L`, '3L', /expected the version to restore \(an integer\), found '3L'/],
  [`RESTORE ${T} TO VERSION AS OF 'x'`, "'x'", /expected the version to restore \(an integer\), found the string 'x'/],
  [`RESTORE ${T} TO VERSION AS OF 9007199254740992`, '9007199254740992', /9007199254740992 is too large for a table version \(at most 9007199254740991\)/],
  [`RESTORE ${T} TO VERSION AS OF '9007199254740993'`, "'9007199254740993'", /is too large for a table version/],
  [`RESTORE ${T} TO TIMESTAMP AS OF 'yesterday'`, "'yesterday'", /'yesterday' is not a timestamp; write it as 'yyyy-MM-dd', 'yyyy-MM-dd HH:mm:ss\[.ffffff\]' or with a zone offset/],
  [`RESTORE ${T} TO TIMESTAMP AS OF '2024-02-30'`, "'2024-02-30'", /'2024-02-30' is not a timestamp/],
  [`RESTORE ${T} TO TIMESTAMP AS OF current_timestamp()`, 'current_timestamp', /expected the timestamp to restore as a quoted string, e.g. '2024-01-31 12:00:00', found 'current_timestamp'/],
  [`RESTORE ${T} TO VERSION AS OF 1 2`, '2', /expected the end of the statement, found '2'/],
  ["RESTORE '/t' TO VERSION AS OF 1", "'/t'", /expected the table written as delta.`\/t` after RESTORE, found a quoted string \(only OPTIMIZE, VACUUM and DESCRIBE take a quoted path\)/],
  ['RESTORE TABLE.`x` TO VERSION AS OF 1', 'TABLE', /'TABLE.`x`' is not a path table/],
  [`DESCRIBE ${T}`, 'delta', /expected DETAIL or HISTORY after DESCRIBE/],
  [`DESCRIBE TABLE ${T}`, 'TABLE', /expected DETAIL or HISTORY after DESCRIBE/],
  [`DESCRIBE DETAIL ${T} LIMIT 1`, 'LIMIT', /expected the end of the statement, found 'LIMIT'/],
  [`DESCRIBE HISTORY ${T} 5`, '5', /expected LIMIT or the end of the statement, found '5'/],
  [`DESCRIBE HISTORY ${T} LIMIT`, '', /expected the number of commits to show \(an integer\) after LIMIT, found end of input/],
  [`DESCRIBE HISTORY ${T} LIMIT -1`, '-', /expected the number of commits to show \(an integer\) after LIMIT, found '-'/],
  [`DESCRIBE HISTORY ${T} LIMIT 2147483648`, '2147483648', /2147483648 is too large for the LIMIT of DESCRIBE HISTORY \(at most 2147483647\)/],
  ['DESCRIBE HISTORY csv.`/t`', 'csv', /the table of DESCRIBE HISTORY must be a Delta table/],
  ['REORG TABLE delta.`/t` APPLY (PURGE)', 'REORG', /REORG statements are not supported here; the statements are SELECT, DELETE FROM, UPDATE, MERGE INTO, OPTIMIZE, VACUUM, RESTORE, ALTER TABLE, DESCRIBE DETAIL and DESCRIBE HISTORY/],
  ['CONVERT TO DELTA parquet.`/t`', 'CONVERT', /CONVERT statements are not supported here/],
];

describe('maintenance statement errors', () => {
  it.each(ERRORS)('%j fails at %j', (text, at, message) => {
    const f = failureOf(text);
    expect(f.message).toMatch(message);
    expect(f.position).toBe(at === '' ? text.length : text.lastIndexOf(at));
  });

  it('shows a caret under the problem', () => {
    expect(() => parseStatement(`VACUUM ${T} RETAIN 7 DAYS`)).toThrow(`\n  VACUUM ${T} RETAIN 7 DAYS\n  ${' '.repeat(`VACUUM ${T} RETAIN 7 `.length)}^`);
  });
});

describe('printing maintenance statements', () => {
  it('prints statements that parse back to the same statement', () => {
    const texts = [
      `OPTIMIZE ${T}`,
      `OPTIMIZE '/p' '/q' FULL WHERE part = 1 AND d IN (DATE '2024-01-01', DATE '2024-01-02') ZORDER BY col1, \`odd col\`.x, type`,
      `VACUUM ${T} RETAIN 0.000001 HOURS DRY RUN FULL`,
      `VACUUM delta.\`/a'b\` LITE RETAIN -0.0 HOURS`,
      `VACUUM ${T} RETAIN 1e21 HOURS`,
      `RESTORE ${T} VERSION AS OF 4`,
      `RESTORE ${T} TO TIMESTAMP AS OF '2024-01-31 12:00:00Z'`,
      `DESCRIBE DETAIL ${T}`,
      `DESC HISTORY delta.\`s3://b/t\` LIMIT 10`,
    ];
    for (const text of texts) {
      const parsed: Statement = parseStatement(text);
      const printed = printStatement(parsed);
      expect(stripStatement(parseStatement(printed)), printed).toEqual(stripStatement(parsed));
    }
    expect(printStatement(parseStatement(`vacuum ${T} dry run lite retain 7 hours`))).toBe(`VACUUM ${T} LITE RETAIN 7 HOURS DRY RUN`);
    expect(printStatement(parseStatement(`restore table ${T} to for system_time as of '2024-01-31'`))).toBe(`RESTORE TABLE ${T} TO TIMESTAMP AS OF '2024-01-31'`);
    expect(printStatement(parseStatement(`optimize ${T} zorder by a, b`))).toBe(`OPTIMIZE ${T} ZORDER BY (a, b)`);
    expect(Object.is((parseStatement(printStatement(parseStatement(`VACUUM ${T} RETAIN -0.0 HOURS`))) as { retentionHours: number }).retentionHours, -0)).toBe(true);
  });

  it('gives spans for the statement, the predicate and the Z-order columns', () => {
    const text = `  OPTIMIZE ${T} WHERE part = 1 ZORDER BY (a.b, c) ;`;
    const s = parseStatement(text);
    if (s.kind !== 'optimize') throw new Error('expected OPTIMIZE');
    expect(text.slice(...s.span)).toBe(`OPTIMIZE ${T} WHERE part = 1 ZORDER BY (a.b, c)`);
    expect(text.slice(...s.where!.span!)).toBe('part = 1');
    expect(s.zOrderBy.map((c) => text.slice(...c.span))).toEqual(['a.b', 'c']);
  });
});
