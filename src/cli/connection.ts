import { existsSync, readFileSync, statSync } from "node:fs";
import type { Argv } from "yargs";
import { registerCredential } from "../shared/outside.js";
import { wholePositive } from "./option-values.js";
import { MigrateError } from "../shared/errors.js";
import { protectsCredentials } from "../shared/wire.js";
import type { ConnectionSettings } from "../write/index.js";
import { withLedger, type Ledger } from "../ledger/index.js";

export interface ConnectionInput {
  baseUrl?: string;
  serviceId?: string;
  bearerFile?: string;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
}

/** Base URL, service ID and bearer from flags, environment or a file; the bearer never from a flag. */
export function resolveConnection(input: ConnectionInput) {
  const baseUrl = input.baseUrl ?? input.env.AUTHLETE_BASE_URL;
  const serviceId = input.serviceId ?? input.env.AUTHLETE_SERVICE_ID;
  if (!baseUrl)
    throw new MigrateError("config_invalid", "no Authlete base URL: set AUTHLETE_BASE_URL or --base-url", {
      option: "base-url",
    });
  if (!serviceId)
    throw new MigrateError("config_invalid", "no service ID: set AUTHLETE_SERVICE_ID or --service-id", {
      option: "service-id",
    });
  const url = serverUrl(baseUrl, "base-url", "the bearer comes from AUTHLETE_BEARER or --bearer-file");
  const bearer = credential("Authlete bearer", {
    file: input.bearerFile,
    option: "bearer-file",
    variable: "AUTHLETE_BEARER",
    env: input.env,
    warn: input.warn,
  });
  checkBearer(bearer, input.bearerFile ? "--bearer-file" : "AUTHLETE_BEARER");
  registerCredential("[the Authlete bearer]", bearer);
  return { baseUrl: url.href.replace(/\/$/, ""), serviceId, bearer };
}

/** The connection flags of every command that calls Authlete (the bearer never is one). */
export function connectionOptions<T>(y: Argv<T>) {
  return y
    .option("base-url", { type: "string", describe: "Authlete base URL (or AUTHLETE_BASE_URL)" })
    .option("service-id", { type: "string", describe: "Authlete service ID (or AUTHLETE_SERVICE_ID)" })
    .option("bearer-file", { type: "string", describe: "File holding the bearer token (or AUTHLETE_BEARER)" })
    .option("timeout-ms", {
      type: "number",
      default: 30_000,
      describe: "Per-attempt HTTP timeout, ms (to connect, then for the answer; kept to about a second)",
    });
}

interface ConnectionArgs {
  "base-url"?: string;
  "service-id"?: string;
  "bearer-file"?: string;
  "timeout-ms": number;
}

/** Connection settings from those flags and the environment. */
export function connectionSettings(argv: ConnectionArgs, connections: number): ConnectionSettings {
  const warn = (m: string) => process.stderr.write(`${m}\n`);
  const resolved = resolveConnection({
    baseUrl: argv["base-url"],
    serviceId: argv["service-id"],
    bearerFile: argv["bearer-file"],
    env: process.env,
    warn,
  });
  return { ...resolved, connections, attemptTimeoutMs: wholePositive("timeout-ms", argv["timeout-ms"]) };
}

/** A ledger the command needs to exist (status, report, verify, rollback never create one). */
export function existingLedger(file: string): string {
  if (!existsSync(file)) throw new MigrateError("usage", `no ledger at ${file}`, { option: "ledger" });
  return file;
}

/** A command's work on a ledger that must exist already: a missing one is the command's error, as any. */
export async function withExistingLedger<T>(file: string, body: (ledger: Ledger) => Promise<T>): Promise<T> {
  return withLedger(existingLedger(file), body);
}

/**
 * A server's URL as an option gives it: a URL, with no credentials in it (they come from the environment
 * or a file), and HTTPS but on loopback. The value is never echoed: a mistyped URL may still hold a secret.
 */
export function serverUrl(value: string, option: string, credentialsFrom: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MigrateError("config_invalid", `--${option}: not a URL (${value.length} characters)`, {
      option,
    });
  }
  if (url.username || url.password)
    throw new MigrateError(
      "config_invalid",
      `--${option} must not hold credentials (user:password@): ${credentialsFrom}`,
      { option },
    );
  if (!protectsCredentials(url))
    throw new MigrateError(
      "config_invalid",
      `--${option}: ${url.origin} is not HTTPS; plain HTTP is allowed only on loopback`,
      { option },
    );
  return url;
}

/**
 * A credential from its file option or its environment variable, never a flag; neither given stops the
 * command, naming both ways to give it.
 */
export function credential(
  what: string,
  source: {
    file: string | undefined;
    option: string;
    variable: string;
    env?: Record<string, string | undefined>;
    warn?: (message: string) => void;
  },
): string {
  const { file, option, variable, env = process.env } = source;
  const secret = file ? readSecretFile(file, `--${option}`, source.warn) : env[variable];
  if (!secret)
    throw new MigrateError("config_invalid", `no ${what}: set ${variable} or pass --${option}`, { option });
  return secret;
}

/** A secret from a file (a bearer, a client secret): warned about when others can read it, never quoted. */
export function readSecretFile(
  file: string,
  option: string,
  warn: (message: string) => void = (message) => void process.stderr.write(`${message}\n`),
): string {
  try {
    warnIfOthersCanRead(file, option, warn);
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new MigrateError(
      "config_invalid",
      `${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { option: option.replace(/^--/, "") },
    );
  }
}

/** A secret's file that other users can read gets a warning (not a refusal: mounted secrets are often 0644). */
export function warnIfOthersCanRead(file: string, what: string, warn: (message: string) => void): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return; // reading it will say what is wrong
  }
  if (mode & 0o077)
    warn(
      `warning: ${what} ${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
}

/**
 * A bearer goes into an HTTP header: one line of visible ASCII. Anything else (a second line such as
 * "# rotated", a non-Latin-1 character) is refused before use, saying where, never what.
 */
function checkBearer(bearer: string, where: string): void {
  const bad = [...bearer].findIndex((c) => c < "\x21" || c > "\x7e");
  if (bad === -1) return;
  const what = /[\r\n]/.test(bearer) ? "a line break" : "a character that is not visible ASCII";
  throw new MigrateError(
    "config_invalid",
    `${where}: the bearer must be one line of visible ASCII; it holds ${what} at character ${bad + 1}`,
    { option: where === "AUTHLETE_BEARER" ? undefined : "bearer-file" },
  );
}
