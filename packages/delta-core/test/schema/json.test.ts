import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { formatDataType, parseDataType, parseSchemaString, parseTypeName, schemaToJson, schemaToString } from '../../src/schema/json.js';
import type { StructType } from '../../src/schema/types.js';
import { FIXTURES, describeFixtures, kernel } from '../fixtures.js';
import { latestMetadata } from './helpers.js';

/** Every distinct schemaString in the JSON logs of all fixture tables, with the log file it came from. */
function fixtureSchemaStrings(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.includes('_delta_log') && p.endsWith('.json')) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          if (!line.includes('"metaData"')) continue;
          let action: { metaData?: { schemaString?: string } };
          try {
            action = JSON.parse(line) as typeof action;
          } catch {
            continue; // deliberately corrupt fixture lines are another module's concern
          }
          const s = action.metaData?.schemaString;
          if (typeof s === 'string') out.set(s, p);
        }
      }
    }
  };
  walk(FIXTURES);
  return out;
}

function expectInvalid(text: string, path: string): void {
  try {
    parseSchemaString(text);
  } catch (e) {
    expect(isDeltaError(e, 'INVALID_SCHEMA')).toBe(true);
    expect((e as { details: Record<string, unknown> }).details['path']).toBe(path);
    return;
  }
  throw new Error(`expected INVALID_SCHEMA for ${text}`);
}

const wrap = (type: string) => `{"type":"struct","fields":[{"name":"c","type":${type},"nullable":true,"metadata":{}}]}`;

describeFixtures('schema JSON over every fixture log', () => {
  it('prints back exactly the text Spark, delta-rs and kernel wrote, for every schema', () => {
    const all = fixtureSchemaStrings();
    expect(all.size).toBeGreaterThan(50);
    let roundTripped = 0;
    for (const [text, file] of all) {
      if (text.includes('"geometry(') || text.includes('"geography(')) {
        expect(() => parseSchemaString(text), file).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_READER_FEATURE' }) as Error);
        continue;
      }
      expect(schemaToString(parseSchemaString(text)), file).toBe(text);
      roundTripped++;
    }
    expect(roundTripped).toBe(all.size - 1);
  });

  it('keeps column-mapping and type-change metadata verbatim', () => {
    const schema = parseSchemaString(latestMetadata(kernel('type-widening')).schemaString);
    const f = schema.fields.find((x) => x.name === 'decimal_decimal_greater_scale')!;
    expect(f.type).toEqual({ kind: 'decimal', precision: 20, scale: 5 });
    expect(f.metadata['delta.typeChanges']).toEqual([{ toType: 'decimal(20,5)', fromType: 'decimal(10,2)', tableVersion: 2 }]);
  });

  it('parses variant as a name and as {"type":"variant"} in nested positions', () => {
    const schema = parseSchemaString(latestMetadata(kernel('unshredded-variant')).schemaString);
    expect(schema.fields.find((f) => f.name === 'v')!.type).toEqual({ kind: 'primitive', name: 'variant' });
    const nested = parseSchemaString(wrap('{"type":"array","elementType":{"type":"variant"},"containsNull":true}'));
    expect(formatDataType(nested.fields[0]!.type)).toBe('array<variant>');
  });
});

describe('schema JSON grammar', () => {
  it('parses every primitive name', () => {
    for (const name of ['string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp', 'timestamp_ntz', 'variant', 'void']) {
      expect(parseDataType(name)).toEqual({ kind: 'primitive', name });
    }
  });

  it('accepts decimals with spaces and prints them without', () => {
    expect(parseTypeName('decimal(10, 4)')).toEqual({ kind: 'decimal', precision: 10, scale: 4 });
    expect(parseTypeName('decimal( 38 ,38 )')).toEqual({ kind: 'decimal', precision: 38, scale: 38 });
    expect(schemaToString(parseSchemaString(wrap('"decimal(10, 4)"')))).toBe(wrap('"decimal(10,4)"'));
  });

  it('rejects out-of-range and malformed decimals with the field path', () => {
    expectInvalid(wrap('"decimal(0,0)"'), 'c');
    expectInvalid(wrap('"decimal(39,2)"'), 'c');
    expectInvalid(wrap('"decimal(5,6)"'), 'c');
    expectInvalid(wrap('"decimal"'), 'c');
    expectInvalid(wrap('"decimal(-1,0)"'), 'c');
  });

  it('names the nested position of an invalid type', () => {
    const s = wrap('{"type":"struct","fields":[{"name":"inner","type":{"type":"map","keyType":"string","valueType":{"type":"array","elementType":"int","containsNull":true},"valueContainsNull":true},"nullable":true,"metadata":{}}]}');
    expectInvalid(s, 'c.inner.value.element');
  });

  it('rejects structural errors', () => {
    expectInvalid('{"type":"struct","fields":[', '<root>');
    expectInvalid('"long"', '<root>');
    expectInvalid('{"type":"struct"}', '<root>');
    expectInvalid('{"type":"struct","fields":[{"name":"a","type":"long","metadata":{}}]}', 'a');
    expectInvalid('{"type":"struct","fields":[{"name":"a","type":"long","nullable":"yes","metadata":{}}]}', 'a');
    expectInvalid('{"type":"struct","fields":[{"name":"a","nullable":true,"metadata":{}}]}', 'a');
    expectInvalid('{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":[]}]}', 'a');
    expectInvalid(wrap('{"type":"array","elementType":"long"}'), 'c');
    expectInvalid(wrap('{"type":"map","keyType":"long","valueType":"long"}'), 'c');
    expectInvalid(wrap('{"type":"udt"}'), 'c');
  });

  it('rejects names equal ignoring case', () => {
    const s = '{"type":"struct","fields":[{"name":"Id","type":"long","nullable":true,"metadata":{}},{"name":"id","type":"long","nullable":true,"metadata":{}}]}';
    expectInvalid(s, 'id');
  });

  it('keeps metadata numbers beyond 2^53 exact', () => {
    const s = '{"type":"struct","fields":[{"name":"id","type":"long","nullable":false,"metadata":{"delta.identity.highWaterMark":9007199254740993,"delta.identity.step":1}}]}';
    const schema = parseSchemaString(s);
    expect(schema.fields[0]!.metadata['delta.identity.highWaterMark']).toBe(9007199254740993n);
    expect(schemaToString(schema)).toBe(s);
  });

  it('prints types in the protocol shape', () => {
    const schema: StructType = {
      kind: 'struct',
      fields: [
        {
          name: 'm',
          type: { kind: 'map', keyType: { kind: 'primitive', name: 'string' }, valueType: { kind: 'decimal', precision: 5, scale: 1 }, valueContainsNull: false },
          nullable: true,
          metadata: {},
        },
      ],
    };
    expect(schemaToJson(schema)).toEqual({
      type: 'struct',
      fields: [{ name: 'm', type: { type: 'map', keyType: 'string', valueType: 'decimal(5,1)', valueContainsNull: false }, nullable: true, metadata: {} }],
    });
  });
});
