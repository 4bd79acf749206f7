import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readJsonFile } from "../shared/json-file.js";
import { readFailure } from "../shared/text.js";
import { readMappedClientsFile } from "./client-map.js";
import { parseMapping, type ReferencedFiles } from "./mapping.js";
import { invalid, isRecord } from "./mapping-checks.js";
import type { Mapping } from "./types.js";

function readJson(file: string): unknown {
  let parsed: unknown;
  try {
    parsed = readJsonFile(file);
  } catch (error) {
    return invalid(file, readFailure(error));
  }
  if (holdsProtoKey(parsed))
    invalid(
      file,
      'holds a "__proto__" key: no mapping has one, and merging it would change an object\'s prototype',
    );
  return parsed;
}

/** True when any object in a parsed JSON document has an own "__proto__" key (walked without recursion). */
function holdsProtoKey(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== "object" || item === null) continue;
    if (!Array.isArray(item) && Object.hasOwn(item, "__proto__")) return true;
    stack.push(...Object.values(item as Record<string, unknown>));
  }
  return false;
}

/** Preset mapping files shipped with the tool. */
export const presetNames = [
  "doorkeeper",
  "django-oauth-toolkit",
  "spring-authorization-server",
  "oidc-provider",
  "line-channel-access-token-v2.1",
];

/** A shipped preset as its file holds it. */
export function readPreset(name: string, from: string): Record<string, unknown> {
  if (!presetNames.includes(name))
    invalid(from, `unknown preset ${JSON.stringify(name)}; presets: ${presetNames.join(", ")}`);
  return readJson(fileURLToPath(new URL(`../../../presets/${name}.json`, import.meta.url))) as Record<
    string,
    unknown
  >;
}

/**
 * A preset's `decide`: settings no default can get right for every site (the zone a server wrote its
 * times in), each with a hint. The file that extends it must set every one; the preset alone is refused.
 */
function requireDecisions(
  spec: string,
  name: string,
  preset: Record<string, unknown>,
  own: Record<string, unknown>,
): void {
  const decide = isRecord(preset.decide) ? preset.decide : {};
  const missing = Object.entries(decide).filter(([path]) => {
    let at: unknown = own;
    for (const key of path.split(".")) at = isRecord(at) ? at[key] : undefined;
    return at === undefined;
  });
  if (missing.length > 0)
    invalid(
      spec,
      `the ${name} preset needs decisions only you can make; set them in a file that extends it: ${missing
        .map(([path, hint]) => `${path} (${String(hint)})`)
        .join("; ")}`,
    );
}

/** A preset under the user's own keys: objects merge, everything else (arrays included) is replaced. */
function extend(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const inner = base[key];
    // null switches a preset's setting off (`"unrecoverable": null` for Doorkeeper's plain :hex tokens).
    if (value === null) delete merged[key];
    else merged[key] = isRecord(value) && isRecord(inner) && key !== "clients" ? extend(inner, value) : value;
  }
  return merged;
}

/** Reads the files a mapping names (its clients CSV, a saved key-ID answer) relative to it. */
function readReferencedFiles(raw: unknown, file: string): ReferencedFiles {
  if (!isRecord(raw)) return {};
  const referenced: ReferencedFiles = {};
  if (typeof raw.clientsFile === "string" && raw.clients === undefined)
    referenced.clients = readMappedClientsFile(raw.clientsFile, file);
  const keyIds = raw.validKeyIds;
  if (isRecord(keyIds) && typeof keyIds.file === "string") {
    try {
      referenced.kids = (readJsonFile(resolve(dirname(file), keyIds.file)) as { kids?: unknown }).kids;
    } catch (error) {
      invalid(file, `validKeyIds.file ${keyIds.file} ${readFailure(error)}`, "validKeyIds.file");
    }
  }
  return referenced;
}

/**
 * Reads and validates a mapping (exit 2 on any problem, before a row is read): a file, `preset:NAME`,
 * or a file that `extends` a preset with its own keys (the client map is always the site's own).
 */
export function loadMapping(spec: string): Mapping {
  if (spec.startsWith("preset:")) {
    const name = spec.slice("preset:".length);
    const preset = readPreset(name, spec);
    requireDecisions(spec, name, preset, {});
    return parseMapping(preset, spec, readReferencedFiles(preset, spec));
  }
  const raw = readJson(spec);
  if (isRecord(raw) && raw.extends !== undefined) {
    if (typeof raw.extends !== "string") invalid(spec, "extends must name a preset");
    const { extends: name, ...own } = raw;
    const preset = readPreset(name as string, spec);
    requireDecisions(spec, name as string, preset, own);
    const merged = extend(preset, own);
    return parseMapping(merged, spec, readReferencedFiles(merged, spec));
  }
  return parseMapping(raw, spec, readReferencedFiles(raw, spec), { accountColumns: true });
}
