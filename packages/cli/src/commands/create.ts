import { DeltaTable, parseSchemaArgument, type CreateTableOptions } from '@deltakit/core';
import { choiceOption, commaListOption, stringListOption, stringOption, tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';
import { protocolReport } from './describe.js';

export const createCommand: Command = {
  name: 'create',
  summary: 'Create an empty table with a schema, partitioning and properties',
  help: `Usage: deltakit create <table> --schema SCHEMA [options]

Create a Delta table with no data. The protocol is the lowest one the schema and properties need.

Options:
  --schema SCHEMA           The columns, as Spark DDL ("id BIGINT NOT NULL, name STRING,
                            amount DECIMAL(10,2) COMMENT 'in EUR'") or Delta schema JSON
                            ({"type":"struct","fields":[...]})
  --partition-by a,b        Partition by these top-level columns
  --property KEY=VALUE      A table property (repeatable), e.g. delta.enableDeletionVectors=true
  --name NAME               The table's name in its metadata
  --description TEXT        The table's description
  --if-not-exists           Do nothing (and succeed) when a table already exists
  --replace                 Replace an existing table's schema, properties and data (keeps its id)
  --format json|text        Output format (default: text on a terminal, json otherwise)
  -h, --help                Show this help

Without --if-not-exists or --replace, an existing table is an error (TABLE_ALREADY_EXISTS).
JSON fields: table, created (false when --if-not-exists found a table), version, protocol
{minReaderVersion, minWriterVersion, readerFeatures, writerFeatures}, partitionColumns.
`,
  options: {
    schema: { type: 'string' },
    'partition-by': { type: 'string' },
    property: { type: 'string', multiple: true },
    name: { type: 'string' },
    description: { type: 'string' },
    'if-not-exists': { type: 'boolean' },
    replace: { type: 'boolean' },
    format: { type: 'string' },
  },
  run: runCreate,
};

async function runCreate(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const { values } = args;
  const path = tableArg('create', args.positionals);
  const format = choiceOption('create', values, 'format', ['json', 'text'] as const, ctx.stdoutIsTTY ? 'text' : 'json');
  const schemaText = stringOption(values, 'schema');
  if (schemaText === undefined) throw usageError('create', 'Missing --schema: give the columns as Spark DDL ("id BIGINT, name STRING") or Delta schema JSON');
  if (values['if-not-exists'] === true && values['replace'] === true) throw usageError('create', '--if-not-exists and --replace ask for opposite things; give only one');
  const options: CreateTableOptions = {
    schema: parseSchemaArgument(schemaText),
    mode: values['replace'] === true ? 'replace' : values['if-not-exists'] === true ? 'ifNotExists' : 'error',
    partitionBy: commaListOption(values, 'partition-by') ?? [],
    properties: propertiesOption('create', values),
    ...optional('name', stringOption(values, 'name')),
    ...optional('description', stringOption(values, 'description')),
    engineInfo: 'deltakit-cli',
    signal: ctx.signal,
  };

  const table = DeltaTable.forPath(path);
  try {
    const result = await table.create(options);
    const snapshot = await table.snapshot({ version: result.version, signal: ctx.signal });
    const { protocol } = snapshot;
    const report = {
      table: path,
      created: result.created,
      version: result.version,
      protocol: protocolReport(protocol),
      partitionColumns: snapshot.metadata.partitionColumns,
    };
    if (format === 'json') {
      await ctx.out.write(`${toJsonText(report, 2)}\n`);
      return;
    }
    const features = [...(protocol.readerFeatures ?? []), ...(protocol.writerFeatures ?? [])];
    const featureText = features.length > 0 ? `; features: ${[...new Set(features)].join(', ')}` : '';
    const head = result.created ? `Created table ${path} at version ${result.version}` : `A table already exists at ${path} (version ${result.version}); left unchanged`;
    await ctx.out.write(`${head}\nProtocol: reader v${protocol.minReaderVersion}, writer v${protocol.minWriterVersion}${featureText}\n`);
  } finally {
    await table.close();
  }
}

/** `--property k=v` options as a record; a repeated key keeps the last value. */
export function propertiesOption(command: string, values: ParsedArgs['values']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of stringListOption(values, 'property')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(command, `--property must be KEY=VALUE, got '${item}'`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
