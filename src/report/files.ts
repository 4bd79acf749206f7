import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderReportHtml } from "./html.js";
import type { RunSummary } from "./summary.js";

/** report.json (the summary with per-reason and per-client tables) and report.html, mode 0600. */
export function writeReportFiles(dir: string, summary: RunSummary, now = new Date()): void {
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(summary, null, 1)}\n`, { mode: 0o600 });
  writeFileSync(join(dir, "report.html"), renderReportHtml(summary, now), { mode: 0o600 });
}
