import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { unguardedCell } from "../shared/csv-cell.js";
import { printable, readFailure } from "../shared/text.js";
import { invalid, isRecord, onlyKeys } from "./mapping-checks.js";
import { authleteGrantTypes, type ClientTarget, type CreatableGrantType } from "./types.js";

/** A creatable grant type, by name. */
export function grantType(file: string, where: string, value: unknown): CreatableGrantType {
  if (!authleteGrantTypes.includes(value as CreatableGrantType)) {
    invalid(file, `${where} must be one of ${authleteGrantTypes.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return value as CreatableGrantType;
}

function clientTarget(file: string, where: string, value: unknown): ClientTarget {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return { clientId: value };
  if (isRecord(value)) {
    onlyKeys(file, where, value, ["clientId", "grantType"]);
    const target = clientTarget(file, `${where}.clientId`, value.clientId);
    return value.grantType === undefined
      ? target
      : { ...target, grantType: grantType(file, `${where}.grantType`, value.grantType) };
  }
  return invalid(
    file,
    `${where} must be a positive integer Authlete client ID or { clientId, grantType }; got ${JSON.stringify(value)}`,
  );
}

function readClientsFile(file: string, clientsFile: string): Map<string, ClientTarget> {
  let rows: string[][];
  try {
    rows = parseCsv(readFileSync(clientsFile), {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    return invalid(file, `clientsFile ${clientsFile} ${readFailure(error)}`);
  }
  const clients = new Map<string, ClientTarget>();
  const firstLine = new Map<string, number>();
  rows.forEach((row, i) => {
    if (i === 0 && row[0] === "legacy_id") return;
    // init writes a would-be formula as text (`'=…`): the legacy ID is what follows the guard.
    const [guarded, id, grant] = row;
    const legacy = guarded === undefined ? guarded : unguardedCell(guarded);
    const where = `clientsFile ${clientsFile} line ${i + 1}`;
    // A template line `init` wrote (under its header) whose client ID nobody filled in yet (its grant
    // type may be proposed): its rows stay client_unknown (never sent). A file without the header is
    // no template: every line must map.
    if (rows[0]?.[0] === "legacy_id" && legacy && !id) return;
    if (!legacy || !id || !/^\d+$/.test(id))
      invalid(file, `${where}: expected legacy_id,client_id[,grant_type] with a numeric client_id`);
    // A second line for a legacy ID would silently win over the first: which one was meant?
    const first = firstLine.get(legacy);
    if (first !== undefined)
      invalid(file, `${where}: legacy_id ${printable(legacy, 80)} is on line ${first} too`);
    firstLine.set(legacy, i + 1);
    clients.set(
      legacy,
      grant ? { clientId: Number(id), grantType: grantType(file, where, grant) } : { clientId: Number(id) },
    );
  });
  return clients;
}

/**
 * The client map: legacy client identifier → Authlete client, inline (`clients`) or from a CSV beside
 * the mapping (`clientsFile`); undefined when the client column already holds Authlete's ID.
 */
export function parseClients(
  raw: Record<string, unknown>,
  file: string,
  fromFile?: Map<string, ClientTarget>,
): Map<string, ClientTarget> | undefined {
  if (raw.clients !== undefined && raw.clientsFile !== undefined)
    invalid(file, "give clients or clientsFile, not both", "clientsFile");
  if (raw.clients !== undefined) {
    if (!isRecord(raw.clients))
      invalid(file, "clients must be an object of legacy id → Authlete client", "clients");
    return new Map(Object.entries(raw.clients).map(([k, v]) => [k, clientTarget(file, `clients.${k}`, v)]));
  }
  if (raw.clientsFile !== undefined && !fromFile)
    invalid(file, "clientsFile is read when the mapping is loaded from a file", "clientsFile");
  return fromFile;
}

/** The clients CSV a mapping names, read beside it (a mapping never reaches for an arbitrary file). */
export function readMappedClientsFile(clientsFile: string, file: string): Map<string, ClientTarget> {
  const path = resolve(dirname(file), clientsFile);
  if (isAbsolute(clientsFile) || relative(dirname(file), path).startsWith(".."))
    invalid(file, "clientsFile must be a path inside the mapping's directory", "clientsFile");
  return readClientsFile(file, path);
}
