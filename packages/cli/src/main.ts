/**
 * The `deltakit` dispatcher: picks the subcommand, runs it, and maps the outcome to the exit
 * status. Contract: exit 0 on success; on failure exactly one line on stderr,
 * `deltakit: <CODE>: <message>`, with status 2 for usage errors (INVALID_ARGUMENT) and 1 otherwise.
 */
import { isDeltaError } from '@deltakit/core';
import { parseCommandArgs } from './args.js';
import { alterCommand } from './commands/alter.js';
import { catCommand } from './commands/cat.js';
import { changesCommand } from './commands/changes.js';
import { checkpointCommand } from './commands/checkpoint.js';
import { sqlCommand } from './commands/sql.js';
import type { Command } from './commands/command.js';
import { createCommand } from './commands/create.js';
import { describeCommand } from './commands/describe.js';
import { filesCommand } from './commands/files.js';
import { historyCommand } from './commands/history.js';
import { ingestCommand } from './commands/ingest.js';
import { optimizeCommand } from './commands/optimize.js';
import { pipelineCommand } from './commands/pipeline.js';
import { writeCommand } from './commands/write.js';
import { demoCommand } from './commands/demo.js';
import { restoreCommand } from './commands/restore.js';
import { vacuumCommand } from './commands/vacuum.js';
import { Output, type OutputStream } from './output.js';

/** The subcommands, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [catCommand, describeCommand, historyCommand, changesCommand, filesCommand, createCommand, writeCommand, ingestCommand, sqlCommand, alterCommand, optimizeCommand, vacuumCommand, restoreCommand, checkpointCommand, demoCommand, pipelineCommand];

/** Where the CLI writes; `process` streams by default, stand-ins in tests. */
export interface MainIo {
  stdout: OutputStream;
  stderr: { write(text: string): unknown };
  stdoutIsTTY: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: deltakit <command> [options]

Read, inspect and write Delta Lake tables.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'deltakit <command> --help' for a command's options.
`;
}

/** Runs the CLI on `argv` (without the node and script paths) and returns the exit status. */
export async function main(argv: readonly string[], io: MainIo = processIo()): Promise<number> {
  const abort = new AbortController();
  const out = new Output(io.stdout, () => abort.abort(new Error('standard output was closed')));
  try {
    const [name, ...rest] = argv;
    if (name === '--help' || name === '-h' || name === 'help') {
      await out.write(topLevelHelp());
      return EXIT_OK;
    }
    if (name === undefined) return fail(io, 'INVALID_ARGUMENT', "Missing a command. Run 'deltakit --help' for the list of commands.");
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const names = COMMANDS.map((c) => c.name).join(', ');
      return fail(io, 'INVALID_ARGUMENT', `Unknown command '${name}'; the commands are ${names}. Run 'deltakit --help' for usage.`);
    }
    const args = parseCommandArgs(command.name, rest, command.options);
    if (args.help) {
      await out.write(command.help);
      return EXIT_OK;
    }
    await command.run(args, { out, stdoutIsTTY: io.stdoutIsTTY, signal: abort.signal });
    return EXIT_OK;
  } catch (e) {
    // A reader that stopped early (`| head`) is a normal end, whatever the cancelled work threw.
    if (out.closed && !out.failed) return EXIT_OK;
    if (isDeltaError(e)) return fail(io, e.code, e.message);
    const message = e instanceof Error ? e.message : String(e);
    if (process.env.DELTAKIT_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    return fail(io, 'INTERNAL', `${message} (an unexpected failure inside deltakit; rerun with DELTAKIT_DEBUG=1 for a stack trace and report it)`);
  }
}

function fail(io: MainIo, code: string, message: string): number {
  // A caret line under a quoted excerpt means nothing once the message is one line: the message
  // names the line and column already, so the excerpt stays and the caret goes.
  const oneLine = message.replace(/\r?\n[ \t]*\^+[ \t]*$/, '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
  io.stderr.write(`deltakit: ${code}: ${oneLine}\n`);
  return code === 'INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_FAILURE;
}

function processIo(): MainIo {
  return { stdout: process.stdout, stderr: process.stderr, stdoutIsTTY: process.stdout.isTTY === true };
}
