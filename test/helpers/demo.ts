import { repoFile } from "./paths.js";

/** The planning time the demo fixture's expiries are written against. */
export const demoNow = "2025-06-01T12:00:00Z";

export const demoFile = (name: string) => repoFile(`fixtures/demo/${name}`);

/** `migrate` of a demo dump with the demo mapping at the demo's time, into `ledger`, plus `extra`. */
export function demoMigrateArgs(ledger: string, extra: string[] = [], dump = "tokens.csv"): string[] {
  return [
    "migrate",
    demoFile(dump),
    "--mapping",
    demoFile("mapping.json"),
    "--ledger",
    ledger,
    "--now",
    demoNow,
    ...extra,
  ];
}
