import { spawn, spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import { repoFile } from "../helpers/paths.js";
import type { RunningPostgres } from "./postgres.js";
import { authorizationCodeFlow, formPoster, freePort, stopChild, waitForPort } from "./servers.js";
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
  token(app: "web" | "svc" | "code", form: Record<string, string>): Promise<TokenAnswer>;
  /** The authorization code flow of the `code` application as `user`: the token endpoint's answer. */
  authorize(user: string): Promise<TokenAnswer>;
  /** RFC 7009 as the application the token belongs to (Doorkeeper ignores another's). */
  revoke(token: string, app?: "web" | "svc" | "code"): Promise<void>;
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

  const token = async (app: string, form: Record<string, string>) =>
    JSON.parse(await post("token", app, form)) as TokenAnswer;
  const redirectUri = "http://127.0.0.1/callback";

  return {
    database,
    introspectionUrl: `${base}/introspect`,
    token,
    authorize: async (user) => {
      const query = new URLSearchParams({
        response_type: "code",
        client_id: "dk-code",
        redirect_uri: redirectUri,
        scope: "read write",
        as: user,
      });
      return authorizationCodeFlow(`${base}/authorize?${query}`, redirectUri, (form) => token("code", form));
    },
    revoke: async (value, app = "web") => void (await post("revoke", app, { token: value })),
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
