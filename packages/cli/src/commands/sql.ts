import { executeSql } from '@deltakit/merge';
import { stringOption, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'Run a DML or table maintenance statement (DELETE, UPDATE, MERGE, OPTIMIZE, VACUUM, RESTORE, ALTER TABLE, DESCRIBE) on path tables',
  help: `Usage: deltakit sql "<statement>" [options]

Run one Spark SQL statement. Tables are written as Spark writes path tables,
delta.\`/path/to/table\`; a MERGE source may also be parquet.\`/path\`, json.\`/path\` (JSON lines)
or csv.\`/path\` (with a header row), a file or a folder of files.

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

Prints the result as one JSON object on stdout: the operation metrics (as recorded in the
commit's operationMetrics, plus the table version), the VACUUM listing, the table detail, or
{ "history": [...] } newest first.

Options:
  --time-zone <zone>  Session time zone for timestamps in the statement (default UTC)
  -h, --help          Show this help

Example:
  deltakit sql "MERGE INTO delta.\`./events\` t USING json.\`./updates.jsonl\` s ON t.id = s.id
    WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
`,
  options: { 'time-zone': { type: 'string' } },
  run: runSql,
};

async function runSql(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const [statement, ...extra] = args.positionals;
  if (statement === undefined || statement.trim() === '') throw usageError('sql', 'missing the statement to run, e.g. deltakit sql "DELETE FROM delta.`./t` WHERE id = 1"');
  if (extra.length > 0) throw usageError('sql', `expected one statement argument; quote the whole statement (got ${extra.length + 1} arguments)`);
  const timeZone = stringOption(args.values, 'time-zone');
  const { operation: _operation, ...metrics } = await executeSql(statement, { signal: ctx.signal, ...(timeZone === undefined ? {} : { timeZone }) });
  await ctx.out.write(`${toJsonText(metrics)}\n`);
}
