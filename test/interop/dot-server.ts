import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import { repoFile } from "../helpers/paths.js";
import type { RunningPostgres } from "./postgres.js";
import { authorizationCodeFlow, formPoster, freePort, stopChild, waitForPort } from "./servers.js";

/** Debian's python3 (the packaged Django and django-oauth-toolkit live there, not in a pyenv). */
const python = "/usr/bin/python3";
const project = repoFile("interop/django-oauth-toolkit");

/** True when Debian's django-oauth-toolkit and psycopg2 are installed. */
export const hasDot = () =>
  existsSync(python) && spawnSync(python, ["-c", "import oauth2_provider, psycopg2"]).status === 0;

export interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
}

export interface Introspection {
  active: boolean;
  scope?: string;
  exp?: number;
  client_id?: string;
  username?: string;
}

/** django-oauth-toolkit 1.7 on Debian's Django, served by `runserver` on loopback, with its own database. */
export interface RunningDot {
  database: string;
  /** DOT's RFC 7662 endpoint, for `compare`. */
  introspectionUrl: string;
  /** POST /o/token/ as the named application (HTTP Basic). */
  token(app: "web" | "svc" | "code", form: Record<string, string>): Promise<TokenAnswer>;
  /** The authorization code flow of the `code` application, signed in as `user`: the token endpoint's answer. */
  authorize(user: string): Promise<TokenAnswer>;
  /** POST /o/revoke_token/ (RFC 7009) as the web application. */
  revoke(token: string, hint: "access_token" | "refresh_token"): Promise<void>;
  /** POST /o/introspect/ (RFC 7662) as the web application. */
  introspect(token: string): Promise<Introspection>;
}

const basic = (app: string) => `Basic ${Buffer.from(`dot-${app}:dot-${app}-secret`).toString("base64")}`;

export async function startDot(
  t: TestContext,
  pg: RunningPostgres,
  settings: { refreshTokenExpireSeconds: number | null },
): Promise<RunningDot> {
  const database = `dot_${settings.refreshTokenExpireSeconds ?? "none"}`;
  pg.psql("postgres", `CREATE DATABASE ${database}`);
  const env = {
    ...process.env,
    PGPORT: String(pg.port),
    PGDATABASE: database,
    PGUSER: "postgres",
    DOT_REFRESH_TOKEN_EXPIRE_SECONDS: String(settings.refreshTokenExpireSeconds ?? ""),
  };
  const boot = spawnSync(python, ["bootstrap.py"], { cwd: project, env, encoding: "utf8" });
  if (boot.status !== 0) throw new Error(`bootstrap.py failed: ${boot.stderr}`);
  const port = await freePort();
  const child = spawn(python, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload"], {
    cwd: project,
    env,
    stdio: "ignore",
  });
  t.after(() => stopChild(child));
  await waitForPort(port, "django-oauth-toolkit");
  const base = `http://127.0.0.1:${port}/o`;
  const send = formPoster("DOT", basic);
  const post = (path: string, app: string, form: Record<string, string>) =>
    send(`${base}/${path}/`, app, form);

  const token = async (app: string, form: Record<string, string>) =>
    JSON.parse(await post("token", app, form)) as TokenAnswer;
  const redirectUri = "http://127.0.0.1/callback";

  return {
    database,
    introspectionUrl: `${base}/introspect/`,
    token,
    authorize: async (user) => {
      const query = new URLSearchParams({
        response_type: "code",
        client_id: "dot-code",
        redirect_uri: redirectUri,
        scope: "read write",
      });
      const next = encodeURIComponent(`/o/authorize/?${query}`);
      const start = `http://127.0.0.1:${port}/login-as/${encodeURIComponent(user)}?next=${next}`;
      return authorizationCodeFlow(start, redirectUri, (form) => token("code", form));
    },
    revoke: async (token, hint) => void (await post("revoke_token", "web", { token, token_type_hint: hint })),
    introspect: async (token) => JSON.parse(await post("introspect", "web", { token })) as Introspection,
  };
}
