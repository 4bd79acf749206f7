import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import { repoFile } from "../helpers/paths.js";
import type { RunningPostgres } from "./postgres.js";
import { formPoster, freePort, stopChild, waitForPort } from "./servers.js";

/** Debian's python3 (python3-authlib, python3-flask-sqlalchemy and psycopg2 live there). */
const python = "/usr/bin/python3";

/** True when Debian's Authlib, Flask-SQLAlchemy and psycopg2 are installed. */
export const hasAuthlib = () =>
  existsSync(python) && spawnSync(python, ["-c", "import authlib, flask_sqlalchemy, psycopg2"]).status === 0;

export interface AuthlibAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
}

export interface RunningAuthlib {
  database: string;
  introspectionUrl: string;
  /** POST /oauth/token as `authlib-web` or `authlib-svc` (HTTP Basic). */
  token(app: "web" | "svc", form: Record<string, string>): Promise<AuthlibAnswer>;
  /** POST /oauth/revoke (RFC 7009), with or without a hint. */
  revoke(app: "web" | "svc", token: string, hint?: "access_token" | "refresh_token"): Promise<void>;
  /** POST /oauth/introspect (RFC 7662) as `authlib-web`. */
  introspect(
    token: string,
    hint?: "access_token" | "refresh_token",
  ): Promise<{ active: boolean; scope?: string; exp?: number; client_id?: string; sub?: string }>;
}

const basic = (app: string) =>
  `Basic ${Buffer.from(`authlib-${app}:authlib-${app}-secret`).toString("base64")}`;

/** The Authlib server of interop/authlib/server.py on loopback, with a database of its own. */
export async function startAuthlib(t: TestContext, pg: RunningPostgres): Promise<RunningAuthlib> {
  const database = "authlib";
  pg.psql("postgres", `CREATE DATABASE ${database}`);
  const port = await freePort();
  const child = spawn(python, [repoFile("interop/authlib/server.py")], {
    env: {
      ...process.env,
      PORT: String(port),
      // Loopback only: Authlib refuses plain HTTP unless told (its documented switch for development).
      AUTHLIB_INSECURE_TRANSPORT: "1",
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${pg.port}/${database}`,
    },
    stdio: "ignore",
  });
  t.after(() => stopChild(child));
  await waitForPort(port, "Authlib");
  const base = `http://127.0.0.1:${port}/oauth`;
  const post = formPoster("Authlib", basic);
  return {
    database,
    introspectionUrl: `${base}/introspect`,
    token: async (app, form) => JSON.parse(await post(`${base}/token`, app, form)) as AuthlibAnswer,
    revoke: async (app, token, hint) =>
      void (await post(`${base}/revoke`, app, { token, ...(hint ? { token_type_hint: hint } : {}) })),
    introspect: async (token, hint) =>
      JSON.parse(
        await post(`${base}/introspect`, "web", { token, ...(hint ? { token_type_hint: hint } : {}) }),
      ) as { active: boolean },
  };
}
