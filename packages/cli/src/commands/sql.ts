import { deltaToArrowSchema } from '@deltakit/core';
import { executeSql, parseStatement } from '@deltakit/merge';
import { Session, sql } from '@deltakit/streaming';
import type { Schema } from 'apache-arrow';
import { choiceOption, stringOption, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import { createRowFormatter, ROW_FORMATS, type RowFormat } from '../format/rows.js';
import type { Command, CommandContext } from './command.js';

const ROWS_PER_WRITE = 1024;

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'Run a query (SELECT) or a DML or table maintenance statement (DELETE, UPDATE, MERGE, OPTIMIZE, VACUUM, RESTORE, ALTER TABLE, DESCRIBE) on path tables',
  help: `Usage: deltakit sql "<statement>" [options]

Run one Spark SQL statement. Tables are written as Spark writes path tables,
delta.\`/path/to/table\`; a query or a MERGE source may also read parquet.\`/path\`,
json.\`/path\` (JSON lines) or csv.\`/path\` (with a header row), a file or a folder of files.

  SELECT [DISTINCT] <expr> [[AS] name], ... | * | t.*
    FROM <relation> [[AS] t] [[INNER | LEFT | RIGHT | FULL [OUTER] | LEFT SEMI | LEFT ANTI | CROSS]
      JOIN <relation> [[AS] u] ON <condition> | USING (c, ...)] ...
    [WHERE <condition>] [GROUP BY <expr>, ...] [HAVING <condition>]
    [UNION [ALL] SELECT ...] [ORDER BY <expr> [ASC | DESC] [NULLS FIRST | LAST], ...] [LIMIT n]
  where <relation> is delta.\`/path\` [VERSION AS OF <n> | TIMESTAMP AS OF '<timestamp>'],
    parquet.\`/path\`, json.\`/path\`, csv.\`/path\`, (SELECT ...),
    or table_changes('/path', <start version | 'timestamp'>[, <end>]) (the change data feed)

  DELETE FROM <table> [[AS] t] [WHERE <condition>]
  UPDATE <table> [[AS] t] SET <column> = <expr>[, ...] [WHERE <condition>]
  MERGE [WITH SCHEMA EVOLUTION] INTO <table> [[AS] t] USING <source> [[AS] s] ON <condition>
    WHEN MATCHED [AND <cond>] THEN UPDATE SET * | UPDATE SET c = e, ... | DELETE
    WHEN NOT MATCHED [BY TARGET] [AND <cond>] THEN INSERT * | INSERT (c, ...) VALUES (e, ...)
    WHEN NOT MATCHED BY SOURCE [AND <cond>] THEN UPDATE SET c = e, ... | DELETE
  OPTIMIZE <table> [WHERE <partition predicate>] [ZORDER BY (c, ...)]
  VACUUM <table> [LITE | FULL] [RETAIN <n> HOURS] [DRY RUN]
  RESTORE [TABLE] <table> [TO] VERSION AS OF <n> | TIMESTAMP AS OF '<timestamp>'
  ALTER TABLE <table> ADD COLUMNS (c <type> [NOT NULL] [COMMENT '...'] [FIRST | AFTER x], ...)
    | RENAME COLUMN a TO b | DROP COLUMN[S] [IF EXISTS] (a, ...)
    | ALTER COLUMN c (TYPE <type> | COMMENT '...' | FIRST | AFTER x | DROP NOT NULL)
    | SET TBLPROPERTIES ('k' = 'v', ...) | UNSET TBLPROPERTIES [IF EXISTS] ('k', ...)
    | ADD CONSTRAINT name CHECK (<expr>) | DROP CONSTRAINT [IF EXISTS] name
    | CLUSTER BY (c, ...) | CLUSTER BY NONE
  DESCRIBE DETAIL <table>
  DESCRIBE HISTORY <table> [LIMIT n]

A SELECT prints its rows, as cat does (--format). Filters on a Delta table are pushed into its
scan, so files are skipped by partition values and statistics. Other statements print their
result as one JSON object on stdout: the operation metrics (as recorded in the commit's
operationMetrics, plus the table version), the VACUUM listing, the table detail, or
{ "history": [...] } newest first.

Options:
  --format jsonl|csv|table  Row format of a SELECT (default: table on a terminal, jsonl otherwise)
  --time-zone <zone>        Session time zone for timestamps in the statement (default UTC)
  -h, --help                Show this help

Examples:
  deltakit sql "SELECT country, count(*) AS n FROM delta.\`./events\` WHERE amount > 10
    GROUP BY country ORDER BY n DESC LIMIT 5"
  deltakit sql "MERGE INTO delta.\`./events\` t USING json.\`./updates.jsonl\` s ON t.id = s.id
    WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
`,
  options: { 'time-zone': { type: 'string' }, format: { type: 'string' } },
  run: runSql,
};

async function runSql(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const [statement, ...extra] = args.positionals;
  if (statement === undefined || statement.trim() === '') throw usageError('sql', 'missing the statement to run, e.g. deltakit sql "DELETE FROM delta.`./t` WHERE id = 1"');
  if (extra.length > 0) throw usageError('sql', `expected one statement argument; quote the whole statement (got ${extra.length + 1} arguments)`);
  const timeZone = stringOption(args.values, 'time-zone');
  const format = choiceOption<RowFormat>('sql', args.values, 'format', ROW_FORMATS, ctx.stdoutIsTTY ? 'table' : 'jsonl');
  if (parseStatement(statement, timeZone === undefined ? {} : { timeZone }).kind === 'select') {
    await runQuery(statement, format, timeZone, ctx);
    return;
  }
  if (args.values['format'] !== undefined) throw usageError('sql', '--format applies to SELECT queries only; other statements print one JSON object');
  const { operation: _operation, ...metrics } = await executeSql(statement, { signal: ctx.signal, ...(timeZone === undefined ? {} : { timeZone }) });
  await ctx.out.write(`${toJsonText(metrics)}\n`);
}

/** Streams the rows of a SELECT in the row format, batch by batch (the table format buffers one page). */
async function runQuery(text: string, format: RowFormat, timeZone: string | undefined, ctx: CommandContext): Promise<void> {
  const session = new Session(timeZone === undefined ? {} : { timeZone });
  const df = sql(text, { session });
  const formatter = createRowFormatter(format);
  let schema: Schema | undefined;
  for await (const batch of df.batches({ signal: ctx.signal })) {
    schema ??= batch.schema;
    for (let start = 0; start < batch.numRows && !ctx.out.closed; start += ROWS_PER_WRITE) {
      await ctx.out.write(formatter.rows(batch, start, Math.min(batch.numRows, start + ROWS_PER_WRITE)));
    }
    if (ctx.out.closed) break;
  }
  await ctx.out.write(formatter.finish(schema ?? deltaToArrowSchema(await df.schema())));
}
