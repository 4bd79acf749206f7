import { printable } from "../shared/text.js";
import { checksSection, inputsSection, scopesSection } from "./sections.js";
import { describeClock, describeCutover, describeStaleSource, notCarriedLines } from "./format.js";
import type { RunSummary } from "./summary.js";

const colours: Record<string, string> = {
  created: "#2e7d32",
  skipped: "#9e9e9e",
  rejected: "#c62828",
  failed: "#ef6c00",
  pending: "#1565c0",
};

function escape(text: string | number): string {
  // Bidi overrides and controls from a dump are shown as escapes, not obeyed by the browser.
  return printable(String(text), Number.POSITIVE_INFINITY).replace(
    /[&<>"']/g,
    (c) => `&#${c.charCodeAt(0)};`,
  );
}

/** A horizontal bar chart as inline SVG: one bar a row, its value written beside it. */
function barChart(id: string, rows: [label: string, value: number, colour?: string][]): string {
  if (rows.length === 0) return `<p class="empty">Nothing to show.</p>`;
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const height = rows.length * 28 + 8;
  const bars = rows
    .map(([label, value, colour], i) => {
      const y = i * 28 + 4;
      const width = Math.round((value / max) * 460);
      return `<text x="0" y="${y + 17}" class="label">${escape(label)}</text><rect x="240" y="${y}" width="${Math.max(width, 1)}" height="22" fill="${colour ?? "#5c6bc0"}"><title>${escape(label)}: ${value}</title></rect><text x="${248 + width}" y="${y + 17}" class="value">${value}</text>`;
    })
    .join("");
  return `<svg id="${id}" class="chart" role="img" width="800" height="${height}" viewBox="0 0 800 ${height}">${bars}</svg>`;
}

/** Created tokens over time, with a mark for each interval that saw 429s. */
function timelineChart(timeline: RunSummary["timeline"]): string {
  if (timeline.length < 2) return `<p class="empty">The run was too short for a timeline.</p>`;
  const maxT = Math.max(1, ...timeline.map((p) => p.t));
  const maxC = Math.max(1, ...timeline.map((p) => p.created));
  const x = (t: number) => 50 + (t / maxT) * 720;
  const y = (c: number) => 210 - (c / maxC) * 190;
  const line = timeline.map((p) => `${x(p.t).toFixed(1)},${y(p.created).toFixed(1)}`).join(" ");
  const marks = timeline
    .filter((p, i) => i > 0 && p.rateLimited > timeline[i - 1]!.rateLimited)
    .map(
      (p) =>
        `<line x1="${x(p.t)}" x2="${x(p.t)}" y1="20" y2="210" class="throttle"><title>429 before ${p.t} s</title></line>`,
    )
    .join("");
  return `<svg id="chart-throughput" class="chart" role="img" width="800" height="240" viewBox="0 0 800 240">${marks}<polyline points="${line}" fill="none" stroke="#2e7d32" stroke-width="2"/><text x="50" y="232" class="label">0 s</text><text x="730" y="232" class="label">${maxT} s</text><text x="0" y="24" class="label">${maxC}</text></svg>`;
}

/** report.html: one self-contained page (no network) a reader who never saw the CLI can follow. */
export function renderReportHtml(summary: RunSummary, generatedAt: Date): string {
  const kind = summary.dryRun ? "dry run (nothing was sent)" : "live run";
  const states: [string, number][] = [
    [summary.dryRun ? "would create" : "created", summary.created],
    ["skipped", summary.skipped],
    ["rejected", summary.rejected],
    ["failed", summary.failed],
    ["pending", summary.pending],
  ];
  const stateKey = (label: string) => (label === "would create" ? "created" : label);
  const reasons = Object.entries(summary.reasons).sort((a, b) => b[1] - a[1]);
  const clients = Object.entries(summary.perClient)
    .map(([client, counts]) => [client, Object.values(counts).reduce((a, b) => a + b, 0), counts] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25);
  const cards = states
    .map(
      ([label, n]) =>
        `<div class="card" data-state="${stateKey(label)}"><span class="n">${n}</span><span>${label}</span></div>`,
    )
    .join("");
  const reasonRows = reasons
    .map(
      ([reason, n]) =>
        `<tr><td>${escape(reason)}</td><td class="num">${n}</td><td>${escape((summary.firstRows[reason as keyof RunSummary["firstRows"]] ?? []).join(", "))}</td></tr>`,
    )
    .join("");
  const legacy = (client: string) => {
    const ids = summary.legacyClients?.[client];
    return ids
      ? ` <span class="muted">(legacy ${escape(ids.slice(0, 5).join(", "))}${ids.length > 5 ? ", …" : ""})</span>`
      : "";
  };
  const clientRows = clients
    .map(
      ([client, total, counts]) =>
        `<tr><td>${escape(client)}${legacy(client)}</td><td class="num">${total}</td><td class="num">${counts.created ?? 0}</td><td class="num">${counts.skipped ?? 0}</td><td class="num">${counts.rejected ?? 0}</td></tr>`,
    )
    .join("");
  const u = summary.unrecoverable;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>authlete-migrate: run ${summary.runId}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:860px;color:#212121}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.cards{display:flex;gap:.8rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:110px}
.card .n{display:block;font-size:1.6rem;font-weight:600}.chart .label{font-size:13px}.chart .value{font-size:13px;font-weight:600}
.throttle{stroke:#c62828;stroke-dasharray:3 3}table{border-collapse:collapse;width:100%}td,th{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left}
.num{text-align:right}.muted{color:#757575}.empty{color:#757575;font-style:italic}.ok{color:#2e7d32;font-weight:600}li.blocking{color:#c62828;background:#ffebee;padding:.3rem .5rem;border-left:4px solid #c62828;list-style:none}.bad{color:#c62828;font-weight:600}h3{font-size:1rem}
</style></head><body>
<h1>Token migration report: run ${summary.runId}</h1>
<p class="muted">${escape(kind)} · ${escape(summary.status)} · ${summary.rows} rows read in ${(summary.durationMs / 1000).toFixed(1)} s · generated ${escape(generatedAt.toISOString())}</p>
${
  summary.notCarried
    ? `<section id="not-carried"><h2>Not carried over</h2><ul>${notCarriedLines(summary.notCarried)
        .slice(1)
        .map((l) => `<li>${escape(l.trim())}</li>`)
        .join("")}</ul></section>`
    : ""
}
${summary.staleSource ? `<section id="stale-source" class="warning"><h2>An old export?</h2><p>${escape(describeStaleSource(summary.staleSource))}</p></section>` : ""}
${summary.authleteClock || summary.cutover ? `<section id="clock"><h2>Authlete's clock and the cutover</h2>${summary.authleteClock ? `<p>${escape(describeClock(summary.authleteClock))}</p>` : ""}${summary.cutover ? `<p>${escape(describeCutover(summary.cutover))}</p>` : ""}</section>` : ""}
${summary.serviceNotRead ? `<section id="service-check"><h2>Service check</h2><p>${escape(summary.serviceNotRead)}.</p></section>` : ""}
${summary.serviceFindings ? `<section id="service-check"><h2>Service check</h2>${summary.serviceFindings.length === 0 ? "<p>The service is ready for this dump.</p>" : `<ul>${summary.serviceFindings.map((f) => `<li class="${f.blocking ? "blocking" : f.severity}">${f.blocking ? "<strong>Blocking — a live run with these options will not start:</strong>" : escape(f.severity === "error" ? "error (its rows are rejected)" : f.severity) + ":"} ${escape(f.detail)}</li>`).join("")}</ul>`}</section>` : ""}
<section id="headline"><div class="cards">${cards}</div></section>
<section id="outcomes"><h2>Outcome of every row</h2>${barChart(
    "chart-outcomes",
    states.map(([l, n]) => [l, n, colours[stateKey(l)]]),
  )}</section>
<section id="reasons"><h2>Why rows were skipped, rejected or failed</h2>${barChart(
    "chart-reasons",
    reasons.map(([r, n]) => [r, n]),
  )}
${reasonRows ? `<table><thead><tr><th>reason</th><th class="num">rows</th><th>first rows (file:line)</th></tr></thead><tbody>${reasonRows}</tbody></table>` : ""}</section>
<section id="clients"><h2>By client</h2>${barChart(
    "chart-clients",
    clients.map(([c, total]) => [c, total]),
  )}
${clientRows ? `<table><thead><tr><th>client</th><th class="num">rows</th><th class="num">created</th><th class="num">skipped</th><th class="num">rejected</th></tr></thead><tbody>${clientRows}</tbody></table>` : ""}</section>
<section id="lifetimes"><h2>Remaining access-token lifetime of the tokens ${summary.dryRun ? "to create" : "sent"}</h2>${barChart(
    "chart-lifetimes",
    Object.entries(summary.lifetimes).map(([b, n]) => [b, n]),
  )}</section>
${summary.dryRun ? "" : `<section id="throughput"><h2>Tokens created over time (dashed: 429 answers)</h2>${timelineChart(summary.timeline)}<p class="muted">429 answers: ${summary.writer?.rateLimited ?? 0}; writer pauses: ${summary.writer?.pauses ?? 0}.</p></section>`}
${summary.checks ? checksSection(summary.checks, escape) : ""}
${summary.scopeCoverage ? scopesSection(summary.scopeCoverage, escape) : ""}
${summary.inputs ? inputsSection(summary.inputs, escape) : ""}
${u ? `<section id="unrecoverable"><h2>Tokens that cannot be migrated with their values</h2><p>${u.rows} tokens: the source stores only ${escape(u.stores)}. Keep the old server validating them until ${escape(u.lastAccessExpiry)} (access) / ${escape(u.lastRefreshExpiry)} (refresh), bridge them lazily, or force re-authorisation.</p></section>` : ""}
</body></html>
`;
}
