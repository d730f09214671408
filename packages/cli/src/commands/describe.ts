import { DeltaTable, type DataType, type Protocol, type Snapshot, type StructType, type TableDetail } from '@deltakit/core';
import { describeDetail, formatDataType, locationOf } from '@deltakit/core/internal';
import { choiceOption, integerOption, tableArg, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show a table snapshot: protocol, metadata, schema, size and app transactions',
  help: `Usage: deltakit describe <table> [options]

Describe one snapshot of a Delta table.

Options:
  --version N         Describe version N (default: latest)
  --format json|text  Output format (default: text on a terminal, json otherwise)
  -h, --help          Show this help

JSON fields: version, protocol {minReaderVersion, minWriterVersion, readerFeatures,
writerFeatures}, metadata {id, name, description, format, schema, partitionColumns,
configuration, createdTime}, numFiles, sizeInBytes, numRecords (null when some file has no
record count in its statistics), appTransactions {appId: version}; and Spark's DESCRIBE DETAIL
fields: format ("delta"), id, name, description, location, createdAt, lastModified (ISO times),
partitionColumns, clusteringColumns, properties, minReaderVersion, minWriterVersion,
tableFeatures (every supported feature, legacy ones included, sorted).
`,
  options: { version: { type: 'string' }, format: { type: 'string' } },
  run: runDescribe,
};

/** The JSON document `describe` prints (bigints print as exact integers). */
export interface TableDescription extends Omit<TableDetail, 'numFiles' | 'sizeInBytes'> {
  version: number;
  protocol: { minReaderVersion: number; minWriterVersion: number; readerFeatures: readonly string[] | null; writerFeatures: readonly string[] | null };
  metadata: {
    id: string;
    name: string | null;
    description: string | null;
    format: { provider: string; options: Readonly<Record<string, string>> };
    schema: unknown;
    partitionColumns: readonly string[];
    configuration: Readonly<Record<string, string>>;
    createdTime: number | null;
  };
  /** Liquid clustering columns (logical names as Spark prints them); [] when not clustered. */
  clusteringColumns: readonly string[];
  numFiles: number;
  sizeInBytes: bigint;
  numRecords: bigint | null;
  appTransactions: Record<string, bigint>;
}

async function runDescribe(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('describe', args.positionals);
  const version = integerOption('describe', args.values, 'version');
  const format = choiceOption('describe', args.values, 'format', ['json', 'text'] as const, ctx.stdoutIsTTY ? 'text' : 'json');
  const table = DeltaTable.forPath(path);
  try {
    const snapshot = await table.snapshot({ ...(version === undefined ? {} : { version }), signal: ctx.signal });
    const description = await describeSnapshot(snapshot, await describeDetail(table.engine, snapshot, locationOf(table.uri, table.tableRoot), ctx.signal));
    await ctx.out.write(format === 'json' ? `${toJsonText(description, 2)}\n` : describeText(path, description, snapshot.schema));
  } finally {
    await table.close();
  }
}

/** The `describe` document for one snapshot, with its DESCRIBE DETAIL record. */
export async function describeSnapshot(snapshot: Snapshot, detail: TableDetail): Promise<TableDescription> {
  const files = await snapshot.files();

  let sizeInBytes = 0n;
  let numRecords: bigint | null = 0n;
  for (const file of files) {
    sizeInBytes += BigInt(file.size);
    const records = file.numRecords ?? statsRecordCount(file.stats);
    numRecords = numRecords === null || records === undefined ? null : numRecords + BigInt(records);
  }
  const { protocol, metadata } = snapshot;
  return {
    version: snapshot.version,
    protocol: protocolReport(protocol),
    metadata: {
      id: metadata.id,
      name: metadata.name ?? null,
      description: metadata.description ?? null,
      format: metadata.format,
      schema: JSON.parse(metadata.schemaString) as unknown,
      partitionColumns: metadata.partitionColumns,
      configuration: metadata.configuration,
      createdTime: metadata.createdTime ?? null,
    },
    numFiles: files.length,
    sizeInBytes,
    numRecords,
    appTransactions: Object.fromEntries(snapshot.appTransactions),
    format: detail.format,
    id: detail.id,
    name: detail.name,
    description: detail.description,
    location: detail.location,
    createdAt: detail.createdAt,
    lastModified: detail.lastModified,
    partitionColumns: detail.partitionColumns,
    clusteringColumns: detail.clusteringColumns,
    properties: detail.properties,
    minReaderVersion: detail.minReaderVersion,
    minWriterVersion: detail.minWriterVersion,
    tableFeatures: detail.tableFeatures,
  };
}

/** The protocol as `describe` and `create` print it (absent feature lists as null). */
export function protocolReport(protocol: Protocol): TableDescription['protocol'] {
  return {
    minReaderVersion: protocol.minReaderVersion,
    minWriterVersion: protocol.minWriterVersion,
    readerFeatures: protocol.readerFeatures ?? null,
    writerFeatures: protocol.writerFeatures ?? null,
  };
}

function statsRecordCount(stats: unknown): number | bigint | undefined {
  if (stats === null || typeof stats !== 'object') return undefined;
  const n = (stats as { numRecords?: unknown }).numRecords;
  return typeof n === 'number' || typeof n === 'bigint' ? n : undefined;
}

/** The human-readable summary. */
function describeText(path: string, d: TableDescription, schema: StructType): string {
  const { protocol: p, metadata: m } = d;
  const lines = [
    `Table:          ${path}`,
    `Location:       ${d.location}`,
    `Version:        ${d.version}`,
    `Id:             ${m.id}`,
  ];
  if (m.name !== null) lines.push(`Name:           ${m.name}`);
  if (m.description !== null) lines.push(`Description:    ${m.description}`);
  if (m.createdTime !== null) lines.push(`Created:        ${new Date(m.createdTime).toISOString()}`);
  lines.push(`Last modified:  ${d.lastModified.toISOString()}`);
  lines.push(`Format:         ${m.format.provider}`);
  lines.push(`Protocol:       reader v${p.minReaderVersion}, writer v${p.minWriterVersion}`);
  if (p.readerFeatures) lines.push(`Reader features: ${p.readerFeatures.join(', ') || '(none)'}`);
  if (p.writerFeatures) lines.push(`Writer features: ${p.writerFeatures.join(', ') || '(none)'}`);
  lines.push(`Table features: ${d.tableFeatures.join(', ') || '(none)'}`);
  lines.push(`Partitioned by: ${m.partitionColumns.length > 0 ? m.partitionColumns.join(', ') : '(not partitioned)'}`);
  if (d.clusteringColumns.length > 0) lines.push(`Clustered by:   ${d.clusteringColumns.join(', ')}`);
  lines.push(`Files:          ${d.numFiles} (${formatBytes(d.sizeInBytes)})`);
  lines.push(`Records:        ${d.numRecords === null ? 'unknown (some files lack statistics)' : d.numRecords}`);
  const config = Object.entries(m.configuration);
  if (config.length > 0) {
    lines.push('Configuration:');
    for (const [k, v] of config) lines.push(`  ${k} = ${v}`);
  }
  lines.push('Schema:');
  for (const f of schema.fields) pushField(lines, f.name, f.type, f.nullable, '  ');
  const txns = Object.entries(d.appTransactions);
  if (txns.length > 0) {
    lines.push('Application transactions:');
    for (const [app, v] of txns) lines.push(`  ${app} = ${v}`);
  }
  return `${lines.join('\n')}\n`;
}

function pushField(lines: string[], name: string, type: DataType, nullable: boolean, indent: string): void {
  const suffix = nullable ? '' : ' not null';
  if (type.kind === 'struct') {
    lines.push(`${indent}${name}: struct${suffix}`);
    for (const f of type.fields) pushField(lines, f.name, f.type, f.nullable, `${indent}  `);
    return;
  }
  lines.push(`${indent}${name}: ${formatDataType(type)}${suffix}`);
}

function formatBytes(bytes: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Number(bytes);
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[u]}, ${bytes} bytes`;
}
