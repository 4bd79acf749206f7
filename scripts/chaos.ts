// npm run chaos: exactly-once under SIGKILLs, an emulator restart and faults. Exits 1 on any violation.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chaosLine, runChaos } from "./lib/chaos.js";

const rows = Number(process.env.CHAOS_ROWS ?? 100_000);
const kills = Number(process.env.CHAOS_KILLS ?? 10);
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
const dir = mkdtempSync(join(tmpdir(), "authlete-migrate-chaos-"));
try {
  const report = await runChaos({
    rows,
    kills,
    seed,
    dir,
    concurrency: 32,
    rate: Number(process.env.CHAOS_RATE ?? 1200),
    emulatorRateLimit: Number(process.env.CHAOS_LIMIT ?? 1000),
    clockOffsetMs: Number(process.env.CHAOS_CLOCK_OFFSET_MS ?? 0),
    log: (line) => console.error(line),
  });
  console.log(`${chaosLine(report)} seed=${seed}`);
  for (const v of report.violations) console.error(`violation: ${v}`);
  process.exitCode = report.violations.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
