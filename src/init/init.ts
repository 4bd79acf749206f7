import { linkSync, lstatSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { fieldValue, loadMapping } from "../map/index.js";
import { readRows, type ReadOptions } from "../read/index.js";
import { guardedCell } from "../shared/csv-cell.js";
import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";
import type { ConnectionSettings, ServiceClient } from "../write/index.js";
import { proposeMapping } from "./propose-mapping.js";
import type { Proposal } from "./types.js";
import { checkHeader } from "../rows/index.js";

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
  const targets = [config.out, clientsFile];
  refuseTargets(targets);
  // One pass (a pipe is read once): the first rows make the proposal, every row is counted under its client.
  const first: Record<string, unknown>[] = [];
  let waiting: Record<string, unknown>[] = [];
  let proposal: Proposal | undefined;
  const counts = new Map<string, { rows: number; subjects: number }>();
  let rows = 0;
  const count = (fields: Record<string, unknown>) => {
    const client = held(fields, proposal!.clientColumn);
    if (client === undefined) return;
    const tally = counts.get(client) ?? { rows: 0, subjects: 0 };
    tally.rows++;
    if (held(fields, proposal!.subjectColumn) !== undefined) tally.subjects++;
    counts.set(client, tally);
  };
  const propose = () => {
    proposal = proposeMapping(first, config.preset);
    waiting.forEach(count);
    waiting = [];
  };
  for await (const row of readRows([config.dump], config.read)) {
    rows++;
    if (proposal) count(row.fields);
    else {
      waiting.push(row.fields);
      if (!row.error) first.push(row.fields);
      if (first.length >= sampleRows) propose();
    }
  }
  if (first.length === 0)
    throw new MigrateError("source_invalid", `${config.dump}: no readable row to propose a mapping from`, {
      file: config.dump,
    });
  if (!proposal) propose();
  const made = proposal!;
  // Per legacy client: its rows, and how many name a subject (none: a machine-to-machine client).
  const sorted = [...counts].sort((a, b) => b[1].rows - a[1].rows);
  const legacyClients = sorted.map(([id, c]): [string, number] => [id, c.rows]);
  const guess = (c: { subjects: number }) =>
    made.grantTypePerClient && made.subjectColumn && c.subjects === 0 ? "CLIENT_CREDENTIALS" : "";
  writeBoth([
    [config.out, `${JSON.stringify(made.mapping, null, 2)}\n`],
    [
      clientsFile,
      // Filled in a spreadsheet, usually: a legacy ID that looks like a formula is written as text.
      stringify(
        [
          ["legacy_id", "client_id", "grant_type", "rows"],
          ...sorted.map(([id, c]) => [id, "", guess(c), c.rows]),
        ],
        { cast: { string: guardedCell } },
      ),
    ],
  ]);
  let invalid: string | undefined;
  try {
    // Loaded as a run loads it, and held to the dump's columns as a run would be.
    checkHeader(loadMapping(config.out))(config.dump, [...new Set(first.flatMap((f) => Object.keys(f)))]);
  } catch (error) {
    invalid = error instanceof Error ? error.message : String(error);
  }
  const serviceClients = config.connection ? await readServiceClients(config.connection) : undefined;
  return { ...made, mappingFile: config.out, clientsFile, legacyClients, rows, invalid, serviceClients };
}

const held = (fields: Record<string, unknown>, path: string | undefined) => {
  const value = path ? fieldValue(fields, path) : undefined;
  return value === undefined || value === null || value === "" ? undefined : String(value);
};

/** Neither file may exist (a link, even a dangling one, counts), and their folder must. */
function refuseTargets(targets: readonly string[]): void {
  for (const file of targets) {
    if (lstatSync(file, { throwIfNoEntry: false }))
      throw new MigrateError(
        "usage",
        `${printable(file)} exists; init never overwrites a file (nor writes through a link)`,
        { file },
      );
    if (!statSync(dirname(file), { throwIfNoEntry: false })?.isDirectory())
      throw new MigrateError(
        "usage",
        `the folder ${printable(dirname(file))} does not exist; create it first`,
        { file },
      );
  }
}

/**
 * Both files or neither: each is written beside its place and linked there (a link never replaces a
 * file, a link or a dangling link at the name); if the second cannot be placed, the first is taken back.
 */
function writeBoth(files: readonly [file: string, text: string][]): void {
  const temps = files.map(([file]) => `${file}.${process.pid}.init-tmp`);
  const placed: string[] = [];
  let at = 0;
  try {
    for (at = 0; at < files.length; at++) writeFileSync(temps[at]!, files[at]![1], { flag: "wx" });
    for (at = 0; at < files.length; at++) {
      linkSync(temps[at]!, files[at]![0]);
      placed.push(files[at]![0]);
    }
  } catch (error) {
    for (const file of placed) rmSync(file, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new MigrateError(
      "usage",
      `init wrote nothing: ${printable(files[at]![0])} could not be written (${code})`,
      { cause: error },
    );
  } finally {
    for (const temp of temps) rmSync(temp, { force: true });
  }
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
