import { fieldValue, presetNames, readPreset, timeColumns, type ColumnName } from "../map/index.js";
import { kindOf } from "./column-evidence.js";
import { proposeColumns } from "./propose-columns.js";
import type { Proposal } from "./types.js";

/** A shipped preset whose every mapped column the rows hold (the one mapping the most, if several). */
function recognisedPreset(rows: readonly Record<string, unknown>[]): string | undefined {
  let best: { name: string; size: number } | undefined;
  for (const name of presetNames) {
    const columns = Object.values((readPreset(name, name).columns ?? {}) as Record<string, string>);
    const held = columns.every((path) => rows.some((row) => fieldValue(row, path) !== undefined));
    if (held && columns.length > (best?.size ?? 0)) best = { name, size: columns.length };
  }
  return best?.name;
}

/**
 * A first mapping for a dump, from its first rows: a shipped preset when the rows hold every column it
 * maps, else columns matched by name, with the time kinds and scope separator the values show. The
 * client map is a template beside it (`clients.csv`). Pure: reading and writing are the caller's.
 */
export function proposeMapping(rows: readonly Record<string, unknown>[], wanted = "auto"): Proposal {
  const sample = (path: string) => rows.map((row) => fieldValue(row, path));
  const preset = wanted === "auto" ? recognisedPreset(rows) : wanted === "none" ? undefined : wanted;
  const toDecide: string[] = [
    "clients.csv: the Authlete client ID for each legacy client ID (rows stay client_unknown until then)",
  ];
  const described = (columns: Record<string, string>) =>
    Object.entries(columns).map(([column, path]) => ({
      column,
      path,
      ...(timeColumns.has(column as ColumnName) ? { kind: kindOf(sample(path)) } : {}),
    }));
  if (preset) {
    const base = readPreset(preset, preset);
    const columns = (base.columns ?? {}) as Record<string, string>;
    const mapping: Record<string, unknown> = { extends: preset, clientsFile: "clients.csv" };
    const zoneLess = described(columns).filter((c) => c.kind === "zone-less");
    if (zoneLess.length > 0 && !("time.timezone" in ((base.decide ?? {}) as object)))
      toDecide.push(
        `time.timezone (the preset's is ${JSON.stringify((base.time as { timezone?: string } | undefined)?.timezone ?? "UTC")}): ${zoneLess.map((c) => c.path).join(", ")} carry no zone`,
      );
    for (const [key, hint] of Object.entries((base.decide ?? {}) as Record<string, string>)) {
      const [section, field] = key.split(".") as [string, string];
      mapping[section] = { ...((mapping[section] as object) ?? {}), [field]: "UTC" };
      toDecide.push(`${key} (set to "UTC" for now): ${hint}`);
    }
    if (
      columns.refreshToken &&
      !columns.refreshTokenExpiresAt &&
      !columns.refreshTokenExpiresIn &&
      !base.refreshTokenExpiry
    ) {
      mapping.refreshTokenExpiry = "service-default";
      toDecide.push(
        "refreshTokenExpiry (set to \"service-default\" for now): the legacy server's refresh lifetime, see the preset's description",
      );
    }
    return {
      mapping,
      preset,
      columns: described(columns),
      ignored: [],
      undecided: [],
      clientColumn: columns.clientId,
      subjectColumn: columns.subject,
      grantTypePerClient: false,
      toDecide,
    };
  }
  return proposeColumns(rows, toDecide);
}
