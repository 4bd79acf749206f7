import type { CutoverRecord } from "../ledger/index.js";
import type { ClockOffset } from "../write/index.js";
import { printable } from "../shared/text.js";
import type { RunSummary } from "./summary.js";

function pad(label: string, width = 22): string {
  return label.padEnd(width);
}

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function reasonLines(summary: RunSummary): string[] {
  const entries = Object.entries(summary.reasons).sort((a, b) => b[1] - a[1]);
  return entries.map(([reason, count]) => {
    const rows = summary.firstRows[reason as keyof RunSummary["firstRows"]] ?? [];
    return `  ${pad(reason, 24)}${String(count).padStart(8)}   first rows: ${rows.join(", ") || "-"}`;
  });
}

/** The human-readable report of a run: a validation report for a dry run, a summary otherwise. */
export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  const title = summary.dryRun
    ? `Dry run ${summary.runId}: validation report`
    : `Run ${summary.runId}: ${summary.status}`;
  lines.push(title, "");
  lines.push(`  ${pad("rows read")}${summary.rows}`);
  lines.push(`  ${pad(summary.dryRun ? "would create" : "created")}${summary.created}`);
  lines.push(`  ${pad("skipped")}${summary.skipped}`);
  lines.push(`  ${pad("rejected")}${summary.rejected}`);
  if (!summary.dryRun) lines.push(`  ${pad("failed")}${summary.failed}`);
  if (summary.pending > 0) lines.push(`  ${pad("left pending")}${summary.pending}`);
  const reasons = reasonLines(summary);
  if (reasons.length) lines.push("", "By reason:", ...reasons);
  const unmapped = Object.entries(summary.unmappedClients);
  if (unmapped.length) {
    lines.push("", "Unmapped legacy client ids:");
    for (const [client, count] of unmapped.slice(0, 20))
      lines.push(`  ${pad(printable(client, 60), 40)}${count}`);
    if (unmapped.length > 20) lines.push(`  … and ${unmapped.length - 20} more`);
  }
  const spread = Object.entries(summary.lifetimes).filter(([, n]) => n > 0);
  if (spread.length) {
    lines.push(
      "",
      summary.dryRun
        ? "Remaining access-token lifetime of the tokens to create:"
        : "Remaining access-token lifetime at read time:",
    );
    for (const [bucket, count] of spread) lines.push(`  ${pad(bucket)}${count}`);
  }
  if (summary.serviceFindings) {
    lines.push(
      "",
      `Service check: ${summary.serviceFindings.length === 0 ? "the service is ready for this dump" : ""}`,
    );
    for (const f of summary.serviceFindings)
      lines.push(
        `  ${f.blocking ? "BLOCKING (a live run with these options will not start)" : f.severity === "error" ? "error (its rows are rejected)" : f.severity}: ${f.detail} [${f.code}]`,
      );
  }
  if (summary.serviceNotRead) lines.push("", `Service: ${summary.serviceNotRead}.`);
  if (summary.deletions) lines.push("", ...deletionLines(summary.deletions, summary.dryRun));
  if (summary.notCarried) lines.push("", ...notCarriedLines(summary.notCarried, summary.notCarriedRows));
  if (summary.unrecoverable) lines.push("", ...unrecoverableAdvice(summary));
  if (summary.staleSource) lines.push("", `Warning: ${describeStaleSource(summary.staleSource)}`);
  if (summary.retryable)
    lines.push(
      "",
      `${summary.retryable} row(s) an earlier run rejected map to a token now; they are not sent again unless you rerun with --retry-rejected.`,
    );
  if (summary.dryRun && !summary.serviceFindings && summary.created > 0)
    lines.push(
      "",
      "Not checked against the service: a live run may still reject rows whose client, grant type or scope it lacks (add --check-service to see which).",
    );
  if (summary.dryRun && summary.estimatedSeconds !== undefined) {
    lines.push(
      "",
      `Estimated duration of the real run at the configured rate: ${duration(summary.estimatedSeconds)}`,
    );
  }
  if (summary.writer) {
    const w = summary.writer;
    lines.push(
      "",
      `Authlete calls: ${w.calls} (creates ${w.creates}, introspections ${w.introspections}), retries ${w.retries}, 429s ${w.rateLimited}, pauses ${w.pauses}, circuit openings ${w.circuitOpenings}`,
      `Expiries corrected with /auth/token/update: ${w.expiryCorrections}; tokens Authlete made shorter than asked: ${w.shortenedTokens}`,
    );
  }
  if (summary.authleteClock) lines.push(describeClock(summary.authleteClock));
  if (summary.cutover) lines.push(describeCutover(summary.cutover));
  lines.push("", `Took ${(summary.durationMs / 1000).toFixed(1)} s.`);
  if (summary.error) lines.push(`Stopped: ${summary.error.message} [${summary.error.code}]`);
  if (summary.status !== "completed")
    lines.push("Rerun the same command to resume: finished rows are not sent again.");
  // Client IDs, file names and details come from outside: nothing in them may drive the terminal.
  return lines.map((line) => printable(line, Number.POSITIVE_INFINITY)).join("\n");
}

/** What to do about tokens whose value the source never kept (hashed or emptied at rest). */
function unrecoverableAdvice(summary: RunSummary): string[] {
  const u = summary.unrecoverable!;
  return [
    `${u.rows} of ${summary.rows} tokens cannot be migrated with their values. The source stores only`,
    `${u.stores}, never the string clients hold, and Authlete needs the plaintext. Options:`,
    `  (a) Keep the old server validating legacy tokens until they expire. The last access token`,
    `      expires at ${u.lastAccessExpiry}; the last refresh token at ${u.lastRefreshExpiry}.`,
    "  (b) Lazy bridge: when a legacy refresh token is presented, the old server validates it and a new",
    "      token is minted in Authlete (/auth/token/create) for the same client, subject and scopes.",
    "  (c) Force re-authorization of the users concerned.",
  ];
}

/** Authlete's clock as a run measured it. */
export function describeClock(c: ClockOffset): string {
  if (c.source === "none") return "Authlete's clock: not measured (no answer carried it)";
  const sign = c.offsetMs >= 0 ? "+" : "−";
  return `Authlete's clock: ${sign}${(Math.abs(c.offsetMs) / 1000).toFixed(3)} s ± ${(c.uncertaintyMs / 1000).toFixed(3)} s from this host's (from ${c.source === "token-create" ? "created tokens' expiries" : "Date headers"}); lifetimes were counted from it`;
}

/** The cutover a ledger recorded. */
export function describeCutover(c: CutoverRecord): string {
  const forced = c.forced ? ` (forced with ${c.pending} pending and ${c.failed} failed entries)` : "";
  return `Cutover: ${new Date(c.at).toISOString()}${forced}; tokens an earlier run may have sent are never sent again`;
}

/** What the rows hold that Authlete cannot take over. */
export function notCarriedLines(
  notCarried: NonNullable<RunSummary["notCarried"]>,
  rows: RunSummary["notCarriedRows"] = {},
): string[] {
  const first = (kind: keyof typeof rows) =>
    rows[kind]?.length ? `; first rows: ${rows[kind]!.join(" ")}` : "";
  const lines = ["Not carried over (Authlete cannot hold it):"];
  if (notCarried.issue_time)
    lines.push(
      `  issue time of ${notCarried.issue_time} token(s): Authlete records when it created them${first("issue_time")}`,
    );
  if (notCarried.broader_refresh_scopes)
    lines.push(
      `  ${notCarried.broader_refresh_scopes} refresh token(s) with scopes broader than their access token's: narrowed to the access token's${first("broader_refresh_scopes")}`,
    );
  return lines;
}

/** Why an old export deserves a second look (text report and HTML). */
export function describeStaleSource(stale: NonNullable<RunSummary["staleSource"]>): string {
  return `the newest access token in the sources expired ${stale.newestAccessExpiry}, ${stale.daysBehind} day(s) ago. Is this an old export? It cannot show what was revoked since it was taken, yet its live refresh tokens are migrated: export again, or pass --now <the export's time> to see the dump as it was.`;
}

/** What --sync-deletions found gone, the first of them by the row that created them, and any refusal. */
function deletionLines(d: NonNullable<RunSummary["deletions"]>, dryRun: boolean): string[] {
  const verb = d.refused ? "revoked none of" : dryRun ? "would revoke" : "revoked";
  const lines = [`Deletions: ${verb} ${d.planned} token(s) gone from the sources (cap ${d.cap})`];
  for (const g of d.first) lines.push(`  ${printable(g.file, 200)}:${g.line} ${g.token}`);
  if (d.planned > d.first.length) lines.push(`  … and ${d.planned - d.first.length} more`);
  if (d.refused) lines.push(`  ${printable(d.refused, 2000)}`);
  return lines;
}
