import yargs from "yargs";
import { MigrateError } from "../shared/errors.js";
import { cutoverCommand } from "./commands/cutover.js";
import { emulatorCommand } from "./commands/emulator.js";
import { keygenCommand } from "./commands/keygen.js";
import { lineKidsCommand } from "./commands/line-kids.js";
import { migrateCommand } from "./commands/migrate.js";
import { reportCommand } from "./commands/report.js";
import { rollbackCommand } from "./commands/rollback.js";
import { verifyCommand } from "./commands/verify.js";
import { compareCommand } from "./commands/compare.js";
import { statusCommand } from "./commands/status.js";
import type { CommandResult } from "./types.js";
import { printable } from "../shared/text.js";

/** Runs the CLI and resolves to the process exit code. */
export async function main(args: string[]): Promise<number> {
  if (process.env.AUTHLETE_DEBUG !== undefined) {
    // The SDK would log the bearer header and every request body (token values) to the console.
    delete process.env.AUTHLETE_DEBUG;
    process.stderr.write(
      "authlete-migrate: AUTHLETE_DEBUG is ignored: SDK debug logs would contain credentials\n",
    );
  }
  let pending: Promise<CommandResult> | undefined;
  const done = (result: Promise<CommandResult>) => {
    pending = result;
  };
  let parser = yargs(args)
    .scriptName("authlete-migrate")
    .strict()
    .demandCommand(1)
    .help()
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new MigrateError("usage", message);
    });
  parser = migrateCommand(parser, done);
  parser = statusCommand(parser, done);
  parser = reportCommand(parser, done);
  parser = rollbackCommand(parser, done);
  parser = verifyCommand(parser, done);
  parser = compareCommand(parser, done);
  parser = cutoverCommand(parser, done);
  parser = emulatorCommand(parser, done);
  parser = keygenCommand(parser, done);
  parser = lineKidsCommand(parser, done);
  try {
    await parser.parseAsync();
    if (!pending) return 0;
    const result = await pending;
    if (result.stderr) process.stderr.write(`${result.stderr}\n`);
    return result.exitCode;
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  // Messages name files and values from outside (a file name may hold an escape sequence): the last line
  // of defence before the terminal shows control and bidi characters escaped, and bounds the length.
  if (error instanceof MigrateError) {
    process.stderr.write(`authlete-migrate: ${printable(error.message, 2000)} [${error.code}]\n`);
    return error.exitCode;
  }
  // Never print a raw stack or object: SDK errors may carry request bodies. Only our message reaches stderr.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`authlete-migrate: ${printable(message, 2000)}\n`);
  return 2;
}
