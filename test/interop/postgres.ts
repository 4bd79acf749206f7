import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { freePort, stopChild, waitForPort } from "./servers.js";

/** Debian's PostgreSQL 15 binaries (`apt-get install postgresql`). */
export const postgresBin = "/usr/lib/postgresql/15/bin";

export interface RunningPostgres {
  port: number;
  /** Runs SQL through psql as the superuser; its stdout. */
  psql(database: string, sql: string, env?: Record<string, string>): string;
}

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 (a free port, trust auth, its own temp directory), stopped
 * and removed when the test ends. As root it runs as the `postgres` user, which PostgreSQL requires.
 */
export async function startPostgres(t: TestContext): Promise<RunningPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "authlete-migrate-pg-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const owner = asRoot
    ? Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim())
    : undefined;
  if (owner !== undefined) chownSync(dir, owner, owner);
  const as = (command: string[]) => (asRoot ? ["runuser", "-u", "postgres", "--", ...command] : command);
  const data = join(dir, "data");
  const init = as([join(postgresBin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const made = spawnSync(init[0]!, init.slice(1), { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`initdb failed: ${made.stderr}`);
  const port = await freePort();
  const server = as([
    join(postgresBin, "postgres"),
    "-D",
    data,
    "-k",
    dir,
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
  ]);
  const child = spawn(server[0]!, server.slice(1), { stdio: "ignore" });
  t.after(() => stopChild(child, "SIGINT"));
  await waitForPort(port, "PostgreSQL");
  return {
    port,
    psql(database, sql, env = {}) {
      const args = [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        database,
        "-v",
        "ON_ERROR_STOP=1",
        "-qAt",
      ];
      const run = spawnSync("psql", [...args, "-c", sql], {
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
      if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
      return run.stdout;
    },
  };
}

/** True when Debian's PostgreSQL server is installed. */
export const hasPostgres = () => existsSync(join(postgresBin, "postgres"));
