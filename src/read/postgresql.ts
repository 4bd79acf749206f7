import { createRequire } from "node:module";
import { PassThrough, pipeline, type Readable } from "node:stream";
import type pgModule from "pg";
import type pgCopyStreams from "pg-copy-streams";
import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";

/** The source that means "the legacy PostgreSQL database, with the mapping's export query". */
export const postgresqlSource = "postgresql:";

/**
 * The CSV a `COPY (…) TO STDOUT WITH CSV HEADER` query writes, streamed from the database: one statement,
 * so one consistent snapshot; under backpressure, so constant memory; nothing written to disk. The
 * connection comes from libpq's environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD or
 * ~/.pgpass), never a flag.
 */
export function openPostgresqlCopy(query: string | undefined): Readable {
  if (!query || !/^\s*COPY\b[\s\S]*\bTO\s+STDOUT\b/i.test(query))
    throw new MigrateError(
      "mapping_invalid",
      `${postgresqlSource} needs the mapping's export.postgresql: a COPY (…) TO STDOUT WITH CSV HEADER query (a preset has one)`,
      { file: postgresqlSource },
    );
  // Loaded here, by the run that reads the database: pg took ~40 ms of every start-up (both threads').
  const require = createRequire(import.meta.url);
  const pg = require("pg") as typeof pgModule;
  const { to: copyTo } = require("pg-copy-streams") as typeof pgCopyStreams;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const client = new pg.Client();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.end().catch(() => {});
  };
  const fail = (error: unknown) =>
    out.destroy(
      error instanceof MigrateError
        ? error
        : new MigrateError(
            "source_invalid",
            // A server message names the query's problem or the connection's, never row content here.
            `${postgresqlSource} ${printable(error instanceof Error ? error.message : String(error), 300)}`,
            { file: postgresqlSource },
          ),
    );
  client
    .connect()
    .then(() => {
      const copy = client.query(copyTo(query));
      pipeline(copy, out, (error) => {
        close();
        if (error && !out.destroyed) fail(error);
      });
    })
    .catch((error: unknown) => {
      close();
      fail(error);
    });
  // A reader that stops early (a limit, a stop signal) ends the query and the connection.
  out.on("close", close);
  return out;
}
