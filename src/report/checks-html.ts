import type { CheckVerdict } from "./summary.js";

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
