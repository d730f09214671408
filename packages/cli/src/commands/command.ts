import type { OptionSpec, ParsedArgs } from '../args.js';
import type { Output } from '../output.js';

/** What a command gets besides its arguments. */
export interface CommandContext {
  /** Standard output; stop producing when `out.closed`. */
  readonly out: Output;
  /** Whether standard output is a terminal (picks human-readable default formats). */
  readonly stdoutIsTTY: boolean;
  /** Aborted when the output's reader goes away; pass it to long table operations. */
  readonly signal: AbortSignal;
}

/**
 * One `deltakit <name>` subcommand. `run` writes its result to `ctx.out` and throws a DeltaError
 * on failure; the dispatcher turns that into the one-line error and exit status.
 */
export interface Command {
  readonly name: string;
  /** One line for the top-level command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  readonly options: OptionSpec;
  run(args: ParsedArgs, ctx: CommandContext): Promise<void>;
}
