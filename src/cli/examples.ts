import type { Argv } from "yargs";

/** What a migration engineer types, per command: shown by `<command> --help`. */
export const examples: Record<string, [command: string, meaning: string][]> = {
  init: [
    ["$0 init tokens.csv", "recognise a preset or propose columns; write mapping.json and clients.csv"],
    ["$0 init export.ndjson --preset none --out site/mapping.json", "columns by name only"],
  ],
  migrate: [
    [
      "$0 migrate tokens.csv --mapping mapping.json --dry-run --report out/",
      "validate everything, send nothing",
    ],
    [
      "$0 migrate tokens.csv --mapping mapping.json --check-service",
      "migrate for real after checking the service",
    ],
    ["$0 migrate tokens.csv --mapping mapping.json --retry-rejected", "rerun after fixing the mapping"],
    ["$0 migrate new.csv --mapping mapping.json --sync-deletions", "catch up from a newer complete export"],
  ],
  status: [["$0 status --ledger authlete-migrate.db", "runs, states, reasons, what is left"]],
  report: [["$0 report --out out/", "report.html, report.json and rejects.csv of the last run"]],
  rollback: [
    ["$0 rollback --run 2 --dry-run", "what deleting run 2's tokens would delete"],
    ["$0 rollback --all", "delete every token this ledger created"],
  ],
  verify: [["$0 verify tokens.csv --mapping mapping.json --sample 500", "introspect 500 migrated tokens"]],
  compare: [
    [
      "LEGACY_CLIENT_SECRET=… $0 compare tokens.csv --mapping mapping.json --legacy-introspection https://old/introspect --legacy-client-id rs --all",
      "ask both servers about every migrated token before the cutover",
    ],
  ],
  cutover: [["$0 cutover", "record that traffic now goes to Authlete"]],
  bridge: [
    [
      "LEGACY_CLIENT_SECRET=… $0 bridge --mapping mapping.json --legacy-introspection https://old/introspect --legacy-client-id rs --until 2027-01-31T00:00:00Z",
      "serve on 127.0.0.1:8080 in front of Authlete; point resource servers and the AS at it",
    ],
  ],
  // Not eval "$(… &)": the substitution waits for the background emulator's output to close, forever.
  emulator: [
    [
      "$0 emulator --print-env --port 8088 > emulator.env & sleep 1; . ./emulator.env",
      "run the emulator in the background and export its settings",
    ],
  ],
  keygen: [
    [
      "$0 keygen --private-key keys/1657000001.jwk.json --public-key keys/1657000001.pub.jwk.json",
      "an assertion signing key pair for a LINE channel",
    ],
  ],
  "line-kids": [["$0 line-kids --mapping mapping.json --out kids.json", "save LINE's valid key IDs"]],
};

/**
 * The parser, with every command's examples added to its --help: the command functions register as
 * before, and their builders get the examples first.
 */
export function withExamples(parser: Argv): Argv {
  const register = parser.command.bind(parser) as (...args: unknown[]) => Argv;
  const wrapped = Object.create(parser) as Argv;
  (wrapped as unknown as { command: (...args: unknown[]) => Argv }).command = (...args: unknown[]) => {
    const [spec, , builder] = args;
    const name = typeof spec === "string" ? spec.split(" ")[0]! : "";
    if (typeof builder === "function") {
      args[2] = (y: Argv) => {
        for (const [command, meaning] of examples[name] ?? []) y.example(command, meaning);
        return (builder as (y: Argv) => Argv)(y);
      };
    }
    return register(...args);
  };
  return wrapped;
}
