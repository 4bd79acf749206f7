import type { ArgumentsCamelCase, Argv } from "yargs";
import type { CommandResult } from "./types.js";

/** Where a command's result goes: main waits for it once yargs has parsed the line. */
export type Done = (result: Promise<CommandResult>) => void;

/** A command as main registers it. */
export type Command = (yargs: Argv, done: Done) => Argv;

/**
 * A yargs command whose `run` may be async and may throw: its result, or its error, reaches main (which
 * prints the error once, with its code and exit status) — written once here, not in every command.
 */
export function command<A>(
  usage: string,
  describe: string,
  options: (y: Argv) => Argv<A>,
  run: (argv: ArgumentsCamelCase<A>) => Promise<CommandResult>,
): Command {
  return (yargs, done) =>
    yargs.command(usage, describe, options, (argv) => done(Promise.resolve().then(() => run(argv))));
}
