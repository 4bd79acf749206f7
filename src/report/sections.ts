import type { CheckVerdict, RunSummary } from "./summary.js";

const names = {
  verify: "verify (Authlete against the legacy rows)",
  compare: "compare (Authlete against the legacy server)",
};

/** The checks run after a migration, as one report section: the verdict first, then the rows that differ. */
export function checksSection(
  checks: readonly CheckVerdict[],
  escape: (text: string | number) => string,
): string {
  if (checks.length === 0)
    return `<section id="checks"><h2>Checks</h2><p class="empty">No verify or compare run after this run yet: run <code>verify</code> and <code>compare</code> before the cutover.</p></section>`;
  const one = (c: CheckVerdict) => {
    const ok = c.matched === c.checked;
    const counts = Object.entries(c.mismatches)
      .map(([kind, n]) => `${escape(kind)} ${n}`)
      .join(", ");
    const rows = c.mismatchRows
      .map(
        (m) =>
          `<tr><td>${escape(m.at)}</td><td><code>${escape(m.fingerprint)}</code></td><td>${escape(m.kind)}</td><td>${escape(m.detail)}</td></tr>`,
      )
      .join("");
    return `<div class="check" data-check="${c.check}" data-verdict="${ok ? "match" : "mismatch"}"><h3>${escape(names[c.check])}: run ${c.runId}, ${escape(c.startedAt)}</h3>
<p class="${ok ? "ok" : "bad"}">${ok ? "✔" : "✘"} ${c.checked} of ${c.migrated} migrated tokens checked: ${c.matched} match${ok ? "" : `; differences: ${counts}`}</p>${
      rows
        ? `<table><thead><tr><th>row</th><th>token</th><th>field</th><th>difference</th></tr></thead><tbody>${rows}</tbody></table>`
        : ""
    }</div>`;
  };
  return `<section id="checks"><h2>Checks</h2>${checks.map(one).join("")}</section>`;
}

/** What the run read and with what: sources, the mapping's hash and the planning clock. */
export function inputsSection(
  inputs: NonNullable<RunSummary["inputs"]>,
  escape: (text: string | number) => string,
): string {
  const rows = inputs.sources
    .map(
      (s) =>
        `<tr><td>${escape(s.file)}</td><td class="num">${s.size}</td><td>${escape(s.mtimeMs ? new Date(s.mtimeMs).toISOString() : "")}</td></tr>`,
    )
    .join("");
  return `<section id="inputs"><h2>What this run read</h2><table><thead><tr><th>source</th><th class="num">bytes</th><th>modified</th></tr></thead><tbody>${rows}</tbody></table>
<p>Mapping SHA-256 <code>${escape(inputs.mappingHash.slice(0, 16))}…</code> · planning clock ${escape(inputs.clock.startedAt)} (${inputs.clock.given ? "given with --now" : "this host's clock"})</p></section>`;
}

/** The scopes the rows ask for, each marked supported or not by the service. */
export function scopesSection(
  coverage: NonNullable<RunSummary["scopeCoverage"]>,
  escape: (text: string | number) => string,
): string {
  const refused = new Set(coverage.unsupported);
  const items = coverage.used
    .map(
      (scope) =>
        `<li class="${refused.has(scope) ? "bad" : "ok"}">${escape(scope)}${refused.has(scope) ? " — not supported: its rows are rejected" : ""}</li>`,
    )
    .join("");
  return `<section id="scopes"><h2>Scope coverage</h2>${items ? `<ul>${items}</ul>` : '<p class="empty">The rows ask for no scope.</p>'}</section>`;
}
