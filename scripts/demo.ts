// The demo: start the emulator, dry-run, migrate, rerun (nothing is sent twice), show the ledger, stop.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliPath, emulatorEnv, spawnEmulator } from "./lib/spawn-emulator.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/demo/${name}`, import.meta.url));
const now = "2025-06-01T12:00:00Z";
const dir = mkdtempSync(join(tmpdir(), "authlete-migrate-demo-"));
const ledger = join(dir, "demo.db");
const emulator = await spawnEmulator(["--now", now]);
const env = emulatorEnv(emulator);

function step(title: string, args: string[]): number {
  console.log(`\n=== ${title}\n$ authlete-migrate ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, [cliPath, ...args], { env, stdio: "inherit" });
  console.log(`(exit code ${result.status})`);
  return result.status ?? 3;
}

async function createCalls(): Promise<number> {
  const state = (await (await fetch(`${emulator.baseUrl}/__emulator/state`)).json()) as {
    calls: Record<string, number>;
  };
  return state.calls["auth/token/create"] ?? 0;
}

let failed = false;
try {
  const common = [
    fixture("tokens.csv"),
    "--mapping",
    fixture("mapping.json"),
    "--ledger",
    ledger,
    "--now",
    now,
  ];
  // Exit 1 is expected: the fixture holds rows that must be rejected (an unmapped client, a missing subject…).
  failed ||= step("1. Dry run: the validation report", ["migrate", ...common, "--dry-run"]) !== 1;
  failed ||= step("2. The real run", ["migrate", ...common]) !== 1;
  const afterFirst = await createCalls();
  failed ||= step("3. A rerun sends nothing twice", ["migrate", ...common]) !== 1;
  const afterSecond = await createCalls();
  console.log(
    `\nCreate calls seen by the emulator: ${afterFirst} after the first run, ${afterSecond} after the rerun.`,
  );
  failed ||= afterSecond !== afterFirst;
  failed ||= step("4. What the ledger says", ["status", "--ledger", ledger]) !== 0;
} finally {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  failed
    ? "\nDemo FAILED: an exit code or a count was not what it should be."
    : "\nDemo finished: every row has one recorded fate.",
);
process.exitCode = failed ? 1 : 0;
