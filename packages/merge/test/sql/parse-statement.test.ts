import { describe, expect, it } from 'vitest';
import { parseStatement, printStatement, type MergeStatement, type Statement } from '../../src/index.js';
import { e, expected, failureOf, stmt, stripStatement } from './helpers.js';

const target = { format: 'delta', path: '/data/events' };
const col = (...path: string[]) => ({ path });
const set = (column: string, value: string) => ({ column: col(...column.split('.')), value: e(value) });

describe('DELETE', () => {
  it('parses DELETE FROM with and without alias and WHERE', () => {
    expect(stmt('DELETE FROM delta.`/data/events`')).toEqual(expected({ kind: 'delete', table: target }));
    expect(stmt("delete from delta.`/data/events` where date < '2020-01-01'")).toEqual(expected({ kind: 'delete', table: target, where: e("date < '2020-01-01'") }));
    expect(stmt('DELETE FROM delta.`/data/events` AS t WHERE t.id = 1;')).toEqual(expected({ kind: 'delete', table: target, alias: 't', where: e('t.id = 1') }));
    expect(stmt('DELETE FROM delta.`/data/events` e WHERE e.id IN (1, 2);;')).toEqual(expected({ kind: 'delete', table: target, alias: 'e', where: e('e.id IN (1, 2)') }));
  });

  it('takes table paths as Spark writes them, URIs and back-quote escapes included', () => {
    const path = (text: string): unknown => (parseStatement(text) as { table: { path: string } }).table.path;
    expect(path('DELETE FROM DELTA.`s3://bucket/a b/t`')).toBe('s3://bucket/a b/t');
    expect(path('DELETE FROM `delta`.`file:///tmp/t`')).toBe('file:///tmp/t');
    expect(path('DELETE FROM delta.`/odd``name`')).toBe('/odd`name');
    expect(path('DELETE FROM delta.`C:\\data\\t`')).toBe('C:\\data\\t');
  });
});

describe('UPDATE', () => {
  it('parses assignments to plain, qualified and nested columns', () => {
    expect(stmt('UPDATE delta.`/data/events` SET a = 1')).toEqual(expected({ kind: 'update', table: target, set: [set('a', '1')] }));
    expect(stmt("UPDATE delta.`/data/events` AS t SET t.a = a + 1, s.b.c = 'x', `odd col` = NULL WHERE t.id > 5")).toEqual(
      expected({ kind: 'update', table: target, alias: 't', set: [set('t.a', 'a + 1'), set('s.b.c', "'x'"), { column: col('odd col'), value: e('NULL') }], where: e('t.id > 5') }),
    );
    expect(stmt('update delta.`/data/events` set date = current_date, value = CASE WHEN x THEN 1 ELSE 2 END')).toEqual(
      expected({ kind: 'update', table: target, set: [set('date', 'current_date'), set('value', 'CASE WHEN x THEN 1 ELSE 2 END')] }),
    );
  });
});

const mergeOf = (text: string): MergeStatement => parseStatement(text) as MergeStatement;
const HEAD = 'MERGE INTO delta.`/data/events` AS t USING delta.`/data/updates` AS s ON t.id = s.id';

describe('MERGE', () => {
  it('parses every clause form', () => {
    const text = `${HEAD}
      WHEN MATCHED AND s.deleted THEN DELETE
      WHEN MATCHED AND s.full THEN UPDATE SET *
      WHEN MATCHED THEN UPDATE SET t.v = s.v, t.n.x = s.x + 1
      WHEN NOT MATCHED AND s.v > 0 THEN INSERT (id, v, n.x) VALUES (s.id, s.v, 0)
      WHEN NOT MATCHED BY TARGET THEN INSERT *
      WHEN NOT MATCHED BY SOURCE AND t.old THEN DELETE
      WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = NULL`;
    expect(stmt(text)).toEqual(
      expected({
        kind: 'merge',
        schemaEvolution: false,
        target,
        targetAlias: 't',
        source: { format: 'delta', path: '/data/updates' },
        sourceAlias: 's',
        on: e('t.id = s.id'),
        matched: [
          { condition: e('s.deleted'), action: { kind: 'delete' } },
          { condition: e('s.full'), action: { kind: 'updateAll' } },
          { action: { kind: 'update', set: [set('t.v', 's.v'), set('t.n.x', 's.x + 1')] } },
        ],
        notMatched: [
          { condition: e('s.v > 0'), action: { kind: 'insert', columns: [col('id'), col('v'), col('n', 'x')], values: [e('s.id'), e('s.v'), e('0')] } },
          { action: { kind: 'insertAll' } },
        ],
        notMatchedBySource: [{ condition: e('t.old'), action: { kind: 'delete' } }, { action: { kind: 'update', set: [set('v', 'NULL')] } }],
      }),
    );
  });

  it('reads WITH SCHEMA EVOLUTION, aliases without AS, and any keyword case', () => {
    const m = mergeOf('merge with schema evolution into delta.`/t` tgt using json.`/in/x.json` src on tgt.k = src.k when not matched then insert *');
    expect(m.schemaEvolution).toBe(true);
    expect([m.targetAlias, m.sourceAlias]).toEqual(['tgt', 'src']);
    expect(m.source).toMatchObject({ format: 'json', path: '/in/x.json' });
    expect(mergeOf(`MERGE INTO delta.\`/t\` USING delta.\`/s\` ON k = k WHEN MATCHED THEN DELETE`).targetAlias).toBeUndefined();
  });

  it('takes relative target paths (resolved when the statement runs)', () => {
    expect(parseStatement('DELETE FROM delta.`relative/t`')).toMatchObject({ kind: 'delete', table: { format: 'delta', path: 'relative/t' } });
  });

  it('takes parquet, json, csv and relative delta paths as sources', () => {
    for (const [text, format, path] of [
      ['parquet.`/in/part-0.parquet`', 'parquet', '/in/part-0.parquet'],
      ['CSV.`/in/dir`', 'csv', '/in/dir'],
      ['json.`rel/x.json`', 'json', 'rel/x.json'],
      ['delta.`updates`', 'delta', 'updates'],
      ['delta.`./t`', 'delta', './t'],
    ]) {
      expect(mergeOf(`MERGE INTO delta.\`/t\` USING ${text} s ON true WHEN MATCHED THEN DELETE`).source, text).toMatchObject({ format, path });
    }
  });

  it('refuses clause groups out of Spark order', () => {
    const f = failureOf(`${HEAD} WHEN NOT MATCHED THEN INSERT * WHEN MATCHED THEN DELETE`);
    expect(f.message).toMatch(/WHEN MATCHED clauses must come before WHEN NOT MATCHED clauses/);
    expect(f.position).toBe(`${HEAD} WHEN NOT MATCHED THEN INSERT * `.length);
    expect(failureOf(`${HEAD} WHEN NOT MATCHED BY SOURCE THEN DELETE WHEN NOT MATCHED THEN INSERT *`).message).toMatch(
      /WHEN NOT MATCHED clauses must come before WHEN NOT MATCHED BY SOURCE clauses/,
    );
    expect(failureOf(`${HEAD} WHEN NOT MATCHED BY SOURCE THEN DELETE WHEN MATCHED THEN DELETE`).message).toMatch(/WHEN MATCHED clauses must come before/);
  });

  it('lets only the last clause of a group omit its condition', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['WHEN MATCHED THEN DELETE WHEN MATCHED AND x THEN UPDATE SET *', 'WHEN MATCHED THEN DELETE', /only the last MATCHED clause can omit the condition/],
      ['WHEN NOT MATCHED THEN INSERT * WHEN NOT MATCHED AND x THEN INSERT *', 'WHEN NOT MATCHED THEN', /only the last NOT MATCHED clause can omit the condition/],
      ['WHEN NOT MATCHED BY SOURCE THEN DELETE WHEN NOT MATCHED BY SOURCE AND x THEN DELETE', 'WHEN NOT MATCHED BY SOURCE THEN', /only the last NOT MATCHED BY SOURCE clause can omit the condition/],
    ];
    for (const [clauses, offending, message] of cases) {
      const f = failureOf(`${HEAD} ${clauses}`);
      expect(f.message, clauses).toMatch(message);
      expect(f.position).toBe(HEAD.length + 1 + clauses.indexOf(offending));
    }
    // one unconditional clause per group, each last, is fine
    const m = mergeOf(`${HEAD} WHEN MATCHED AND a THEN DELETE WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT * WHEN NOT MATCHED BY SOURCE THEN DELETE`);
    expect([m.matched.length, m.notMatched.length, m.notMatchedBySource.length]).toEqual([2, 1, 1]);
  });

  it('requires at least one clause and matching INSERT column and value counts', () => {
    const none = failureOf(HEAD);
    expect(none.message).toMatch(/there must be at least one WHEN clause in a MERGE statement/);
    expect(none.position).toBe(HEAD.length);
    const count = failureOf(`${HEAD} WHEN NOT MATCHED THEN INSERT (a, b) VALUES (1)`);
    expect(count.message).toMatch(/INSERT names 2 columns but gives 1 value; give one value per column/);
    expect(count.position).toBe(`${HEAD} WHEN NOT MATCHED THEN INSERT (a, b) `.length);
  });

  it('refuses actions in the wrong clause', () => {
    expect(failureOf(`${HEAD} WHEN MATCHED THEN INSERT *`).message).toMatch(/INSERT is the action of WHEN NOT MATCHED clauses/);
    expect(failureOf(`${HEAD} WHEN NOT MATCHED THEN DELETE`).message).toMatch(/WHEN NOT MATCHED takes INSERT/);
    expect(failureOf(`${HEAD} WHEN NOT MATCHED THEN UPDATE SET *`).message).toMatch(/WHEN NOT MATCHED takes INSERT/);
    expect(failureOf(`${HEAD} WHEN NOT MATCHED BY SOURCE THEN UPDATE SET *`).message).toMatch(/UPDATE SET \* is only allowed in WHEN MATCHED/);
    expect(failureOf(`${HEAD} WHEN NOT MATCHED BY SOURCE THEN INSERT *`).message).toMatch(/WHEN NOT MATCHED BY SOURCE takes UPDATE SET … or DELETE/);
  });
});

describe('table references', () => {
  it('refuses catalog names, subqueries and other formats with the way to write them', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['DELETE FROM events', 'events', /'events' is a table name, but deltakit has no catalog of table names: name the table by its path, as delta.`\/path\/to\/table`/],
      ['DELETE FROM db.events', 'db', /'db.events' is not a path table: write delta.`\/path\/to\/table`/],
      ['UPDATE delta.events SET a = 1', 'events', /expected the table path in back-quotes after delta\., found 'events'; write delta.`events`/],
      ["DELETE FROM delta.'/t'", "'/t'", /write delta.`\/t`/],
      ['DELETE FROM delta.`/t`.x', '.x', /write the whole path in one pair of back-quotes/],
      ['DELETE FROM parquet.`/t`', 'parquet', /must be a Delta table: write delta.`\/t`/],
      ['DELETE FROM delta.``', '``', /the table path is empty/],
      ['MERGE INTO delta.`/t` USING (SELECT * FROM s) s ON true WHEN MATCHED THEN DELETE', '(SELECT', /a subquery as the MERGE source is not supported; write the source rows to a Delta table or to parquet, json or csv files/],
      ['MERGE INTO delta.`/t` USING orc.`/s` ON true WHEN MATCHED THEN DELETE', 'orc', /is not a path table: .* \(a MERGE source may also be parquet/],
      ['MERGE INTO delta.`/t` USING updates ON true WHEN MATCHED THEN DELETE', 'updates', /'updates' is a table name/],
      ['DELETE FROM delta.`/t` AS t(a, b)', '(a, b)', /column aliases are not allowed in DELETE/],
    ];
    for (const [text, at, message] of cases) {
      const f = failureOf(text);
      expect(f.message, text).toMatch(message);
      expect(f.position, text).toBe(text.lastIndexOf(at));
    }
  });
});

/** [statement, where the caret must be (the last occurrence of this text; '' for the end), message] */
const SYNTAX_ERRORS: Array<[string, string, RegExp]> = [
  ['', '', /expected SELECT, DELETE, UPDATE, MERGE, OPTIMIZE, VACUUM, RESTORE, ALTER TABLE or DESCRIBE, found end of input/],
  ['SELECT * FROM t', 't', /'t' is a table name, but deltakit has no catalog of table names/],
  ['INSERT INTO delta.`/t` VALUES (1)', 'INSERT', /INSERT statements are not supported here/],
  ['WITH x AS (SELECT 1) DELETE FROM delta.`/t`', 'WITH', /WITH \(common table expressions\) is not supported/],
  ['DELETE delta.`/t`', 'delta', /expected FROM after DELETE/],
  ['DELETE FROM delta.`/t` WHERE', '', /expected a column name, literal or \(, found end of input/],
  ['DELETE FROM delta.`/t` WHERE a = 1 b', 'b', /expected the end of the statement, found 'b'/],
  ['DELETE FROM delta.`/t`; DELETE FROM delta.`/u`', 'DELETE', /run one statement at a time/],
  ['UPDATE delta.`/t` WHERE a = 1', 'WHERE', /expected SET after the table of UPDATE, found 'WHERE'/],
  ['UPDATE delta.`/t` SET a', '', /expected '=' after the column to set/],
  ['UPDATE delta.`/t` SET a-b = 1', 'a-b', /'a-b' is not a valid name: back-quote names that contain '-'/],
  ['UPDATE delta.`/t` SET = 1', '=', /expected a column to set, found '='/],
  ['UPDATE delta.`/t` SET a = 1,', '', /expected a column to set, found end of input/],
  ['MERGE delta.`/t`', 'delta', /expected INTO after MERGE/],
  ['MERGE WITH EVOLUTION INTO delta.`/t`', 'EVOLUTION', /expected SCHEMA EVOLUTION after MERGE WITH/],
  ['MERGE INTO delta.`/t` delta.`/s`', '.', /expected USING and the source table, found '\.'/],
  ['MERGE INTO delta.`/t` USING delta.`/s` WHEN', 'WHEN', /expected ON and the merge condition, found 'WHEN'/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN', '', /expected MATCHED or NOT MATCHED after WHEN/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN NOT MATCHED BY x', 'x', /expected TARGET or SOURCE after WHEN NOT MATCHED BY/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN MATCHED DELETE', 'DELETE', /expected AND <condition> or THEN, found 'DELETE'/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN MATCHED AND x DELETE', 'DELETE', /expected THEN after the clause condition/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN MATCHED THEN UPDATE a = 1', 'a = 1', /expected SET after UPDATE/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN NOT MATCHED THEN INSERT VALUES (1)', 'VALUES', /expected '\*' or '\(' and the columns after INSERT/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN NOT MATCHED THEN INSERT (a) (1)', '(1)', /expected VALUES after the INSERT columns/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN NOT MATCHED THEN INSERT (a) VALUES (1', '', /expected ',' or '\)' after the value/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON a = b WHEN MATCHED THEN DELETE garbage', 'garbage', /expected the end of the statement, found 'garbage'/],
  ['MERGE INTO delta.`/t` USING delta.`/s` ON WHEN MATCHED THEN DELETE', 'WHEN', /expected a column name, literal or \(, found the keyword WHEN/],
];

describe('statement syntax errors', () => {
  it.each(SYNTAX_ERRORS)('%j fails at %j', (text, at, message) => {
    const f = failureOf(text);
    expect(f.message).toMatch(message);
    expect(f.position).toBe(at === '' ? text.length : text.lastIndexOf(at));
  });
});

describe('spans and printing', () => {
  it('gives spans for the statement, tables, clauses, assignments and expressions', () => {
    const text = "MERGE INTO delta.`/t` AS t USING csv.`/s.csv` s ON t.k = s.k WHEN MATCHED AND s.x > 1 THEN UPDATE SET t.v = s.v + 1 WHEN NOT MATCHED THEN INSERT (k) VALUES (s.k);";
    const m = mergeOf(text);
    const slice = (span: readonly [number, number] | undefined): string => text.slice(span![0], span![1]);
    expect(slice(m.span)).toBe(text.slice(0, -1));
    expect(slice(m.target.span)).toBe('delta.`/t`');
    expect(slice(m.source.span)).toBe('csv.`/s.csv`');
    expect(slice(m.on.span)).toBe('t.k = s.k');
    expect(slice(m.matched[0]!.span)).toBe('WHEN MATCHED AND s.x > 1 THEN UPDATE SET t.v = s.v + 1');
    expect(slice(m.matched[0]!.condition!.span)).toBe('s.x > 1');
    const update = m.matched[0]!.action;
    if (update.kind !== 'update') throw new Error('expected an UPDATE action');
    expect(slice(update.set[0]!.span)).toBe('t.v = s.v + 1');
    expect(slice(update.set[0]!.column.span)).toBe('t.v');
    expect(slice(update.set[0]!.value.span)).toBe('s.v + 1');
    const insert = m.notMatched[0]!.action;
    if (insert.kind !== 'insert') throw new Error('expected an INSERT action');
    expect(slice(m.notMatched[0]!.span)).toBe('WHEN NOT MATCHED THEN INSERT (k) VALUES (s.k)');
    expect([slice(insert.columns[0]!.span), slice(insert.values[0]!.span)]).toEqual(['k', 's.k']);
  });

  it('prints statements that parse back to the same statement', () => {
    const texts = [
      'DELETE FROM delta.`/data/events`',
      "DELETE FROM delta.`/a``b c` AS `my alias` WHERE x BETWEEN 1 AND 5 OR s LIKE 'a%'",
      "UPDATE delta.`s3://b/t` t SET t.a.b = CAST(x AS DECIMAL(10,2)), `odd col` = INTERVAL 1 DAY WHERE d = DATE '2020-01-01'",
      `${HEAD} WHEN MATCHED AND s.op = 'D' THEN DELETE WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, -s.v) WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = 0`,
      'MERGE WITH SCHEMA EVOLUTION INTO delta.`/t` USING parquet.`in/p` ON true WHEN NOT MATCHED BY SOURCE AND t.x IS NULL THEN DELETE',
    ];
    for (const text of texts) {
      const parsed: Statement = parseStatement(text);
      const printed = printStatement(parsed);
      expect(stripStatement(parseStatement(printed)), printed).toEqual(stripStatement(parsed));
    }
    expect(printStatement(parseStatement('delete from delta.`/t` where a=1'))).toBe('DELETE FROM delta.`/t` WHERE (a = 1)');
  });

  it('reads zone-less timestamps in the given session zone', () => {
    const text = "DELETE FROM delta.`/t` WHERE ts < TIMESTAMP '1970-01-01 00:00:00'";
    const utc = parseStatement(text) as { where: { right: { value: unknown } } };
    const la = parseStatement(text, { timeZone: 'America/Los_Angeles' }) as { where: { right: { value: unknown } } };
    expect(utc.where.right.value).toEqual({ type: 'timestamp', micros: 0n });
    expect(la.where.right.value).toEqual({ type: 'timestamp', micros: 8n * 3_600_000_000n });
  });
});
