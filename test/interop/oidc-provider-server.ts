import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { TestContext } from "node:test";
import { repoFile } from "../helpers/paths.js";
import type { Introspection, TokenAnswer } from "./dot-server.js";
import type { RunningPostgres } from "./postgres.js";
import { authorizationCodeFlow, formPoster, freePort, stopChild, waitForPort } from "./servers.js";

const project = repoFile("interop/oidc-provider");

/** True when npm's oidc-provider and pg are installed (they are dev dependencies). */
export function hasOidcProvider(): boolean {
  const require = createRequire(import.meta.url);
  try {
    require.resolve("oidc-provider");
    require.resolve("pg");
    return true;
  } catch {
    return false;
  }
}

/** npm's oidc-provider (9.x) on loopback, storing in PostgreSQL through the one-table adapter. */
export interface RunningOidcProvider {
  database: string;
  introspectionUrl: string;
  /** The authorization code flow as `account`, who consents to everything; the token endpoint's answer. */
  /** As op-web (refresh tokens rotated) or op-keep (kept on refresh). */
  authorize(account: string, app?: "web" | "keep"): Promise<TokenAnswer>;
  token(app: "web" | "keep" | "svc", form: Record<string, string>): Promise<TokenAnswer>;
  revoke(token: string): Promise<void>;
  introspect(token: string): Promise<Introspection & { sub?: string }>;
}

const basic = (app: string) => `Basic ${Buffer.from(`op-${app}:op-${app}-secret`).toString("base64")}`;
const redirectUri = "http://127.0.0.1/callback";

export async function startOidcProvider(t: TestContext, pg: RunningPostgres): Promise<RunningOidcProvider> {
  const database = "oidc_provider";
  pg.psql("postgres", `CREATE DATABASE ${database}`);
  const port = await freePort();
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: project,
    env: {
      ...process.env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/${database}`,
      PORT: String(port),
      NODE_ENV: "production",
    },
    stdio: "ignore",
  });
  t.after(() => stopChild(child));
  await waitForPort(port, "oidc-provider");
  const base = `http://127.0.0.1:${port}`;
  const send = formPoster("oidc-provider", basic);
  const token = async (app: string, form: Record<string, string>) =>
    JSON.parse(await send(`${base}/token`, app, form)) as TokenAnswer;

  async function authorize(account: string, app: "web" | "keep" = "web"): Promise<TokenAnswer> {
    const query = new URLSearchParams({
      client_id: `op-${app}`,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: "openid offline_access read write",
      prompt: "consent",
    });
    return authorizationCodeFlow(
      `${base}/auth?${query}`,
      redirectUri,
      (form) => token(app, form),
      (next) => {
        if (next.pathname.startsWith("/interaction/")) next.searchParams.set("account", account);
      },
    );
  }

  return {
    database,
    introspectionUrl: `${base}/token/introspection`,
    authorize,
    token,
    revoke: async (value) => void (await send(`${base}/token/revocation`, "web", { token: value })),
    introspect: async (value) =>
      JSON.parse(await send(`${base}/token/introspection`, "web", { token: value })) as Introspection & {
        sub?: string;
      },
  };
}
