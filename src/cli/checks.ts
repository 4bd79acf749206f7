import type { Argv } from "yargs";
import { ledgerOption } from "./paths.js";
import type { MigratedCheck } from "../checks/index.js";
import { printable } from "../shared/text.js";
import { connectionOptions, connectionSettings, existingLedger } from "./connection.js";
import { lineBaseUrlOption, loadCommandMapping } from "./mapping.js";
import { parseNow } from "./now.js";
import { wholePositive } from "./option-values.js";

/** The flags of a check of migrated tokens (verify, compare): the dumps, the ledger, which tokens, output. */
export function checkOptions<T>(y: Argv<T>, concurrency: number) {
  return connectionOptions(y)
    .positional("files", { type: "string", array: true, demandOption: true })
    .option("mapping", { type: "string", demandOption: true })
    .option("line-base-url", lineBaseUrlOption)
    .option("ledger", ledgerOption)
    .option("sample", {
      type: "number",
      default: 100,
      describe: "How many migrated tokens to check at random",
    })
    .option("all", { type: "boolean", default: false, describe: "Check every migrated token" })
    .option("now", { type: "string" })
    .option("concurrency", { type: "number", default: concurrency })
    .option("json", { type: "boolean", default: false });
}

type CheckArgs = Parameters<typeof connectionSettings>[0] & {
  files: string[];
  mapping: string;
  "line-base-url"?: string;
  ledger: string;
  sample: number;
  all: boolean;
  now?: string;
  concurrency: number;
};

/** What those flags say, for the pipeline. */
export function checkInput(argv: CheckArgs): MigratedCheck {
  const warn = (m: string) => process.stderr.write(`${m}\n`);
  const mapping = loadCommandMapping(argv.mapping, warn, argv["line-base-url"]);
  return {
    files: argv.files,
    mapping,
    // `postgresql:` reads the database with the mapping's own query, as migrate does.
    read: { postgresqlQuery: mapping.exportQuery },
    ledgerFile: existingLedger(argv.ledger),
    connection: connectionSettings(argv, wholePositive("concurrency", argv.concurrency, 1024)),
    // 0 or -5 would check nothing and say "fine": a sample is at least one token.
    sample: argv.all ? undefined : wholePositive("sample", argv.sample),
    now: parseNow(argv.now),
    concurrency: argv.concurrency,
  };
}

/** A check's differences, one line each, in row order (not the order answers came back in). */
export function mismatchLines(
  rows: readonly { at: string; fingerprint: string; kind: string; detail: string }[],
) {
  return [...rows]
    .sort((a, b) => a.at.localeCompare(b.at, undefined, { numeric: true }))
    .map((m) => `  ${printable(m.at)} ${m.fingerprint} ${m.kind}: ${m.detail}`);
}

/** What a check that checked no token says (and it exits 1): why nothing was there to check. */
export function nothingChecked(migrated: number): string {
  return migrated === 0
    ? "Nothing was checked: no token of these dumps is one this ledger created (another ledger, or other dumps?)"
    : `Nothing was checked: none of the ${migrated} migrated token(s) could be asked about`;
}
