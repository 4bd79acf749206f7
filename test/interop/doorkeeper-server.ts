import { spawn, spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import { repoFile } from "../helpers/paths.js";
import type { RunningPostgres } from "./postgres.js";
import { formPoster, freePort, stopChild, waitForPort } from "./servers.js";
import type { TokenAnswer } from "./dot-server.js";

const project = repoFile("interop/doorkeeper");

/** True when Debian's Rails, Doorkeeper, pg and WEBrick gems are installed. */
export const hasDoorkeeper = () =>
  spawnSync("ruby", ["-e", 'require "rails"; require "doorkeeper"; require "pg"; require "webrick"'])
    .status === 0;

/** Doorkeeper 5.5 on Debian's Rails 6.1, served by WEBrick on loopback, with its own database. */
export interface RunningDoorkeeper {
  database: string;
  introspectionUrl: string;
  token(app: "web" | "svc", form: Record<string, string>): Promise<TokenAnswer>;
  revoke(token: string): Promise<void>;
  introspect(
    token: string,
  ): Promise<{ active: boolean; scope?: string; exp?: number; client_id?: string; sub?: string }>;
  /** Calls a protected endpoint with the token: with revoke-on-use, this revokes its predecessor. */
  use(token: string): Promise<void>;
}

const basic = (app: string) => `Basic ${Buffer.from(`dk-${app}:dk-${app}-secret`).toString("base64")}`;

export async function startDoorkeeper(
  t: TestContext,
  pg: RunningPostgres,
  settings: { timezone: string; generator?: "hex"; hashTokenSecrets?: boolean },
): Promise<RunningDoorkeeper> {
  const database = `doorkeeper_${settings.generator ?? "default"}_${settings.hashTokenSecrets ? "hashed" : "plain"}`;
  pg.psql("postgres", `CREATE DATABASE ${database}`);
  // default_timezone :local with TZ: Rails writes created_at and revoked_at as that zone's wall-clock time.
  const env = {
    ...process.env,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/${database}`,
    DK_DEFAULT_TIMEZONE: "local",
    TZ: settings.timezone,
    DK_GENERATOR: settings.generator ?? "",
    DK_HASH_TOKEN_SECRETS: settings.hashTokenSecrets ? "1" : "",
  };
  const schema = spawnSync("ruby", ["schema.rb"], { cwd: project, env, encoding: "utf8" });
  if (schema.status !== 0) throw new Error(`schema.rb failed: ${schema.stderr}`);
  const port = await freePort();
  const child = spawn("ruby", ["server.rb"], {
    cwd: project,
    env: { ...env, PORT: String(port) },
    stdio: "ignore",
  });
  t.after(() => stopChild(child));
  await waitForPort(port, "Doorkeeper");
  const base = `http://127.0.0.1:${port}/oauth`;
  const send = formPoster("Doorkeeper", basic);
  const post = (path: string, app: string, form: Record<string, string>) =>
    send(`${base}/${path}`, app, form);

  return {
    database,
    introspectionUrl: `${base}/introspect`,
    token: async (app, form) => JSON.parse(await post("token", app, form)) as TokenAnswer,
    revoke: async (token) => void (await post("revoke", "web", { token })),
    introspect: async (token) =>
      JSON.parse(await post("introspect", "web", { token })) as Awaited<
        ReturnType<RunningDoorkeeper["introspect"]>
      >,
    use: async (token) => {
      const response = await fetch(`${base}/token/info`, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`Doorkeeper token/info answered ${response.status}`);
    },
  };
}
