import { readFileSync } from "node:fs";
import yargs from "yargs";
import { withExamples } from "./examples.js";
import { standardInput } from "../read/index.js";
import { MigrateError } from "../shared/errors.js";
import { bridgeCommand } from "./commands/bridge.js";
import { cutoverCommand } from "./commands/cutover.js";
import { emulatorCommand } from "./commands/emulator.js";
import { keygenCommand } from "./commands/keygen.js";
import { lineKidsCommand } from "./commands/line-kids.js";
import { initCommand } from "./commands/init.js";
import { migrateCommand } from "./commands/migrate.js";
import { reportCommand } from "./commands/report.js";
import { rollbackCommand } from "./commands/rollback.js";
import { verifyCommand } from "./commands/verify.js";
import { compareCommand } from "./commands/compare.js";
import { statusCommand } from "./commands/status.js";
import type { CommandResult } from "./types.js";
import { fromOutside } from "../shared/outside.js";
import { guardOutput } from "./output.js";

/** The version in the package's own package.json (dist/src/cli → the package root). */
function packageVersion(): string {
  const file = new URL("../../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

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
  guardOutput();
  // A reader that stops reading (`| head`) ends the output, not in a stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
      throw error;
    });
  // yargs drops a lone "-" from positionals: it names standard input, as "/dev/stdin" does (not an
  // option's value: `--delimiter -` stays).
  const given = args.map((arg, i) => (arg === "-" && !args[i - 1]?.startsWith("-") ? standardInput : arg));
  // A terminal on standard input would wait for a dump to be typed, without a word: refused at once.
  if (given.includes(standardInput) && process.stdin.isTTY) {
    process.stderr.write(
      "authlete-migrate: standard input is a terminal: pipe the dump in (zcat dump.csv.gz | authlete-migrate migrate - …) [usage]\n",
    );
    return 2;
  }
  const parser = yargs(given)
    .scriptName("authlete-migrate")
    .strict()
    .demandCommand(1)
    .help()
    .version(packageVersion())
    .completion("completion", "Print a bash/zsh completion script (authlete-migrate completion >> ~/.bashrc)")
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new MigrateError("usage", message);
    });
  // yargs renders the command's help on every run, to have it cached: unwrapped it costs a third (~35 ms
  // of a short run's CPU). It is only ever shown when asked for, and then wrapped as always.
  if (!given.some((arg) => arg === "--help" || arg === "-h" || arg === "help")) parser.wrap(null);
  const commands = withExamples(parser);
  initCommand(commands, done);
  migrateCommand(commands, done);
  statusCommand(commands, done);
  reportCommand(commands, done);
  rollbackCommand(commands, done);
  verifyCommand(commands, done);
  compareCommand(commands, done);
  cutoverCommand(commands, done);
  bridgeCommand(commands, done);
  emulatorCommand(commands, done);
  keygenCommand(commands, done);
  lineKidsCommand(commands, done);
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
    process.stderr.write(`authlete-migrate: ${fromOutside(error.message, [], 2000)} [${error.code}]\n`);
    return error.exitCode;
  }
  // Never print a raw stack or object: SDK errors may carry request bodies. Only our message reaches stderr.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`authlete-migrate: ${fromOutside(message, [], 2000)}\n`);
  return 2;
}
