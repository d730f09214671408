import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { parseDdlSchema, parseSchemaArgument } from '../../src/schema/ddl.js';
import { parseSchemaString, schemaToJson } from '../../src/schema/json.js';
import { decimal, field, primitive, struct, type StructType } from '../../src/schema/types.js';
import { describeFixtures, golden } from '../fixtures.js';

function parseError(text: string): { code: string; message: string; position: unknown } {
  try {
    parseDdlSchema(text);
  } catch (e) {
    if (!isDeltaError(e)) throw e;
    return { code: e.code, message: e.message, position: e.details['position'] };
  }
  throw new Error(`expected ${text} to fail`);
}

/** The schemaString of a fixture table's first metaData action. */
function fixtureSchema(table: string): StructType {
  const lines = readFileSync(`${table}/_delta_log/00000000000000000000.json`, 'utf8').split('\n');
  for (const line of lines) {
    if (line.includes('"metaData"')) return parseSchemaString((JSON.parse(line) as { metaData: { schemaString: string } }).metaData.schemaString);
  }
  throw new Error(`no metaData in ${table}`);
}

describe('parseDdlSchema', () => {
  it('parses the Spark DDL of the brief, with aliases, NOT NULL, comments and nesting', () => {
    const schema = parseDdlSchema(
      "id BIGINT NOT NULL, name STRING, amount DECIMAL(10,2), ts TIMESTAMP, ts2 TIMESTAMP_NTZ, d DATE, tags ARRAY<STRING>, attrs MAP<STRING, INT>, addr STRUCT<city: STRING, zip: INT>, `odd name` INT COMMENT 'x'",
    );
    expect(schema).toEqual(
      struct([
        field('id', primitive('long'), false),
        field('name', primitive('string')),
        field('amount', decimal(10, 2)),
        field('ts', primitive('timestamp')),
        field('ts2', primitive('timestamp_ntz')),
        field('d', primitive('date')),
        field('tags', { kind: 'array', elementType: primitive('string'), containsNull: true }),
        field('attrs', { kind: 'map', keyType: primitive('string'), valueType: primitive('integer'), valueContainsNull: true }),
        field('addr', struct([field('city', primitive('string')), field('zip', primitive('integer'))])),
        field('odd name', primitive('integer'), true, { comment: 'x' }),
      ]),
    );
  });

  it('maps every alias case-insensitively', () => {
    const cases: Array<[string, unknown]> = [
      ['bigint', primitive('long')],
      ['Long', primitive('long')],
      ['int', primitive('integer')],
      ['INTEGER', primitive('integer')],
      ['smallint', primitive('short')],
      ['short', primitive('short')],
      ['tinyint', primitive('byte')],
      ['byte', primitive('byte')],
      ['float', primitive('float')],
      ['real', primitive('float')],
      ['double', primitive('double')],
      ['boolean', primitive('boolean')],
      ['binary', primitive('binary')],
      ['string', primitive('string')],
      ['varchar(20)', primitive('string')],
      ['char(3)', primitive('string')],
      ['date', primitive('date')],
      ['timestamp', primitive('timestamp')],
      ['timestamp_ntz', primitive('timestamp_ntz')],
      ['decimal', decimal(10, 0)],
      ['decimal(38)', decimal(38, 0)],
      ['dec(5,5)', decimal(5, 5)],
      ['numeric(12, 3)', decimal(12, 3)],
      ['variant', primitive('variant')],
    ];
    for (const [ddl, type] of cases) expect(parseDdlSchema(`c ${ddl}`).fields[0]!.type, ddl).toEqual(type);
  });

  it('accepts nested types without colons, NOT NULL inside structs, escapes in names and comments', () => {
    const s = parseDdlSchema("a array<map<string,struct<x int not null comment 'it''s', `y``z` decimal(3,1)>>> not null, b string comment \"q\\\"d\"");
    expect(s.fields[0]!.nullable).toBe(false);
    const inner = (s.fields[0]!.type as { elementType: { valueType: StructType } }).elementType.valueType;
    expect(inner.fields.map((f) => [f.name, f.nullable, f.metadata])).toEqual([
      ['x', false, { comment: "it's" }],
      ['y`z', true, {}],
    ]);
    expect(s.fields[1]!.metadata).toEqual({ comment: 'q"d' });
  });

  it('reports the position of syntax errors as PARSE_ERROR', () => {
    const e1 = parseError('id BIGINT, name STRNG');
    expect(e1.code).toBe('PARSE_ERROR');
    expect(e1.position).toBe(16);
    expect(e1.message).toContain('character 17');
    expect(e1.message).toContain('STRNG');

    expect(parseError('a ARRAY<INT').message).toMatch(/expected '>' to close ARRAY</);
    expect(parseError('a INT NOT').message).toMatch(/expected NULL after NOT/);
    expect(parseError('a INT,').message).toMatch(/expected a column name/);
    expect(parseError('a INT b INT').position).toBe(6);
    expect(parseError('a DECIMAL(39,2)').message).toMatch(/out of range/);
    expect(parseError('a DECIMAL(5,6)').message).toMatch(/out of range/);
    expect(parseError('a VARCHAR').message).toMatch(/give a length/);
    expect(parseError("a INT COMMENT 'open").message).toMatch(/not closed/);
    expect(parseError('a INT, A STRING').message).toMatch(/defined twice/);
    expect(parseError('').message).toMatch(/no columns/);
    expect(parseError('a INT; drop').message).toMatch(/unexpected character ';'/);
    expect(parseError('a MAP<STRING>').message).toMatch(/between the MAP key and value/);
  });
});

describe('parseSchemaArgument', () => {
  it('takes DDL or Delta schema JSON and gives the same schema for both', () => {
    const ddl = parseSchemaArgument('id BIGINT NOT NULL, amount DECIMAL(10,2)');
    const json = parseSchemaArgument(`  ${JSON.stringify(schemaToJson(ddl))}`);
    expect(json).toEqual(ddl);
  });

  it('reports bad JSON schemas as INVALID_SCHEMA', () => {
    expect(() => parseSchemaArgument('{"type":"struct","fields":[{"name":"a"}]}')).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA' }) as Error);
  });
});

describeFixtures('parseDdlSchema against Spark-written schemas', () => {
  it('re-reads the DDL of a Spark table with every primitive type', () => {
    const spark = fixtureSchema(golden('data-reader-primitives'));
    const ddl = spark.fields.map((f) => `${f.name} ${ddlType(f.type)}`).join(', ');
    expect(parseDdlSchema(ddl)).toEqual(struct(spark.fields.map((f) => ({ ...f, metadata: {} }))));
  });
});

function ddlType(t: StructType['fields'][number]['type']): string {
  if (t.kind === 'decimal') return `DECIMAL(${t.precision},${t.scale})`;
  if (t.kind !== 'primitive') throw new Error('primitives only');
  return { long: 'BIGINT', integer: 'INT', short: 'SMALLINT', byte: 'TINYINT' }[t.name as string] ?? t.name.toUpperCase();
}
