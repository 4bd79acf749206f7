import { createRequire } from "node:module";
import { PassThrough, type Readable } from "node:stream";
import type pgModule from "pg";
import type pgCopyStreams from "pg-copy-streams";
import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";
import { checkExportQuery } from "./export-query.js";

/** The source that means "the legacy PostgreSQL database, with the mapping's export query". */
export const postgresqlSource = "postgresql:";

/**
 * The CSV a `COPY (SELECT …) TO STDOUT WITH CSV HEADER` query writes, streamed from the database: checked
 * to be one plain read (export-query.ts), run in a READ ONLY transaction; one statement, so one snapshot; under backpressure, so constant memory; nothing written to disk. The
 * connection comes from libpq's environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD or
 * ~/.pgpass), never a flag.
 */
export function openPostgresqlCopy(query: string | undefined): Readable {
  // Loaded here, by the run that reads the database: pg took ~40 ms of every start-up (both threads').
  const require = createRequire(import.meta.url);
  const pg = require("pg") as typeof pgModule;
  const { to: copyTo } = require("pg-copy-streams") as typeof pgCopyStreams;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  // Read-only twice over: the session's default, then the transaction itself before anything else.
  const options = [process.env.PGOPTIONS, "-c default_transaction_read_only=on"].filter(Boolean).join(" ");
  const client = new pg.Client({ options });
  let closed = false;
  let running: object | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    // A query still running is cancelled (the protocol's CancelRequest, on a connection of its own):
    // ending the session alone would wait for the query to finish, however long it takes.
    if (running !== undefined) cancelQuery(pg, client);
    client.end().catch(() => {});
  };
  const fail = (error: unknown) =>
    out.destroy(
      error instanceof MigrateError
        ? error
        : new MigrateError(
            "source_invalid",
            // A server message names the query's problem or the connection's, never row content here.
            `${postgresqlSource} ${printable(error instanceof Error ? error.message : String(error), 300)}${sqlState(error)}`,
            { file: postgresqlSource },
          ),
    );
  checkExportQuery(query)
    .then(() => client.connect())
    .then(() => client.query("START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    .then(() => {
      const copy = client.query(copyTo(query!));
      running = copy;
      // Not pipeline(): it would end `out` with the driver's bare error (SQLSTATE only) before ours.
      copy.on("error", (error) => {
        running = undefined;
        close();
        fail(error);
      });
      copy.on("end", () => {
        running = undefined;
        close();
      });
      copy.pipe(out);
    })
    .catch((error: unknown) => {
      close();
      fail(error);
    });
  // A reader that stops early (a limit, a stop signal) ends the query and the connection.
  out.on("close", close);
  return out;
}

/** The SQLSTATE of a server error, which names its class (25006: a write in a read-only transaction). */
function sqlState(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : "";
}

/** The driver's view of a connection, for the CancelRequest (the driver exposes no public call for it). */
interface Wire {
  connect(port: number | string, host?: string): void;
  cancel(processId: number, secretKey: number): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

/**
 * Cancels the query `client` is running: PostgreSQL's CancelRequest (its backend's process ID and secret
 * key) on a connection of its own, to the same server (a TCP host, or a socket directory). The server
 * answers a CancelRequest with nothing: the query's own end (an error, "canceling statement due to user
 * request") is what shows it took, and the session closes after it.
 */
function cancelQuery(pg: typeof pgModule, client: pgModule.Client): void {
  const target = client as unknown as { processID: number; secretKey: number; host: string; port: number };
  const wire = (new pg.Client() as unknown as { connection: Wire }).connection;
  wire.on("error", () => {});
  wire.on("connect", () => wire.cancel(target.processID, target.secretKey));
  if (target.host.startsWith("/")) wire.connect(`${target.host}/.s.PGSQL.${target.port}`);
  else wire.connect(target.port, target.host);
}
