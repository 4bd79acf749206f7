import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { fieldValue, loadMapping } from "../map/index.js";
import { readRows, type ReadOptions } from "../read/index.js";
import { MigrateError } from "../shared/errors.js";
import type { ConnectionSettings, ServiceClient } from "../write/index.js";
import { proposeMapping, type Proposal } from "./propose-mapping.js";
import { checkHeader } from "./sources.js";

/** Rows looked at to recognise a preset and what the columns hold: a dump's first rows. */
const sampleRows = 1000;

export interface InitConfig {
  dump: string;
  read: ReadOptions;
  /** "auto", "none", or a preset's name. */
  preset: string;
  out: string;
  /** When given, the service's clients are listed, to fill clients.csv with. */
  connection?: ConnectionSettings;
}

export interface InitResult extends Proposal {
  mappingFile: string;
  clientsFile: string;
  /** Legacy client ID → rows, most rows first. */
  legacyClients: [string, number][];
  rows: number;
  /** Why the written mapping does not load yet, if it does not. */
  invalid?: string;
  /** The service's clients (connected), or why they could not be read. */
  serviceClients?: ServiceClient[] | { error: string };
}

/**
 * `init`: proposes a mapping for a dump (a preset it recognises, or columns by name), writes it with a
 * clients.csv template of the legacy client IDs the dump holds (with their row counts), and checks the
 * written mapping loads. Never overwrites a file.
 */
export async function initMapping(config: InitConfig): Promise<InitResult> {
  const clientsFile = join(dirname(config.out), "clients.csv");
  for (const file of [config.out, clientsFile])
    if (existsSync(file))
      throw new MigrateError("usage", `${file} exists; init never overwrites a file`, { file });
  const first: Record<string, unknown>[] = [];
  for await (const row of readRows([config.dump], config.read)) {
    if (!row.error) first.push(row.fields);
    if (first.length >= sampleRows) break;
  }
  if (first.length === 0)
    throw new MigrateError("source_invalid", `${config.dump}: no readable row to propose a mapping from`, {
      file: config.dump,
    });
  const proposal = proposeMapping(first, config.preset);
  const { clientColumn, subjectColumn } = proposal;
  const held = (fields: Record<string, unknown>, path: string | undefined) => {
    const value = path ? fieldValue(fields, path) : undefined;
    return value === undefined || value === null || value === "" ? undefined : String(value);
  };
  // Per legacy client: its rows, and how many name a subject (none: a machine-to-machine client).
  const counts = new Map<string, { rows: number; subjects: number }>();
  let rows = 0;
  for await (const row of readRows([config.dump], config.read)) {
    rows++;
    const client = held(row.fields, clientColumn);
    if (client === undefined) continue;
    const count = counts.get(client) ?? { rows: 0, subjects: 0 };
    count.rows++;
    if (held(row.fields, subjectColumn) !== undefined) count.subjects++;
    counts.set(client, count);
  }
  const sorted = [...counts].sort((a, b) => b[1].rows - a[1].rows);
  const legacyClients = sorted.map(([id, c]): [string, number] => [id, c.rows]);
  const guess = (c: { subjects: number }) =>
    proposal.grantTypePerClient && subjectColumn && c.subjects === 0 ? "CLIENT_CREDENTIALS" : "";
  writeFileSync(config.out, `${JSON.stringify(proposal.mapping, null, 2)}\n`, { flag: "wx" });
  writeFileSync(
    clientsFile,
    stringify([
      ["legacy_id", "client_id", "grant_type", "rows"],
      ...sorted.map(([id, c]) => [id, "", guess(c), c.rows]),
    ]),
    { flag: "wx" },
  );
  let invalid: string | undefined;
  try {
    // Loaded as a run loads it, and held to the dump's columns as a run would be.
    checkHeader(loadMapping(config.out))(config.dump, [...new Set(first.flatMap((f) => Object.keys(f)))]);
  } catch (error) {
    invalid = error instanceof Error ? error.message : String(error);
  }
  const serviceClients = config.connection ? await readServiceClients(config.connection) : undefined;
  return { ...proposal, mappingFile: config.out, clientsFile, legacyClients, rows, invalid, serviceClients };
}

async function readServiceClients(connection: ConnectionSettings): Promise<InitResult["serviceClients"]> {
  const { connectAuthlete, listServiceClients } = await import("../write/index.js");
  const authlete = connectAuthlete(connection);
  try {
    return await listServiceClients(authlete);
  } finally {
    await authlete.close();
  }
}
