import type { Mapping } from "../map/index.js";
import type { ReadOptions } from "../read/index.js";
import type { AuthleteConnection, ClientFacts, LifetimeRules, ServiceFacts } from "../write/index.js";
import { serviceUsage, type ServiceUsage } from "./service-usage.js";

export interface ServiceFinding {
  severity: "error" | "warning";
  code:
    | "service_unreadable"
    | "client_not_in_service"
    | "grant_type_not_allowed"
    | "scope_not_supported"
    | "refresh_not_supported"
    | "several_live_tokens_per_subject"
    | "token_expiration_linked"
    | "refresh_chain_settings"
    | "default_refresh_lifetime";
  detail: string;
}

/** What the service would refuse of a single row: the row-level findings as rules (plain JSON). */
export interface ServiceRowRules {
  unsupportedScopes: string[];
  missingClients: number[];
  /** Authlete client ID → grant types it does not allow. */
  disallowedGrantTypes: Record<string, string[]>;
}

/** The findings, and what the writer must do about the service's settings. */
export interface ServiceCheck {
  findings: ServiceFinding[];
  /** What Authlete would refuse row by row: such rows are rejected before they are sent (dry or live). */
  rowRules: ServiceRowRules;
  rules: LifetimeRules;
  /** Rows the sources hold (every source was read to the end). */
  rows: number;
  /** What the dump needs, to keep with a completed run. */
  usage: ServiceUsage;
}

const finding = (severity: ServiceFinding["severity"], code: ServiceFinding["code"], detail: string) => ({
  severity,
  code,
  detail,
});

/** Checks of the service-wide settings against the dump. */
function serviceFindings(service: ServiceFacts, used: ServiceUsage): ServiceFinding[] {
  const found: ServiceFinding[] = [];
  for (const scope of used.scopes) {
    if (!service.scopes.has(scope))
      found.push(
        finding(
          "error",
          "scope_not_supported",
          `scope ${JSON.stringify(scope)} is not supported by the service`,
        ),
      );
  }
  if (used.refresh > 0 && !service.grantTypes.has("REFRESH_TOKEN"))
    found.push(
      finding(
        "error",
        "refresh_not_supported",
        "refresh tokens are migrated but the service does not support REFRESH_TOKEN",
      ),
    );
  if (used.refreshOnGrantWithout > 0)
    found.push(
      finding(
        "warning",
        "refresh_not_supported",
        `${used.refreshOnGrantWithout} row(s) carry a refresh token on a client-credentials or implicit grant: Authlete does not store it, so those rows are undone and rejected (refresh_token_not_stored)`,
      ),
    );
  if (service.tokenExpirationLinked)
    found.push(
      finding(
        "warning",
        "token_expiration_linked",
        `tokenExpirationLinked is on: rows without a live refresh token get a refresh lifetime equal to their access lifetime (not 1 s)${
          used.refreshBeforeAccess > 0
            ? `; ${used.refreshBeforeAccess} row(s) whose refresh token expires before the access token get the access token cut to the refresh token's expiry`
            : ""
        }`,
      ),
    );
  if (used.refresh > 0 && service.grantTypes.has("REFRESH_TOKEN")) {
    const chain = service.refreshTokenKept
      ? `refreshTokenKept: a refresh at Authlete keeps the refresh token${service.refreshTokenDurationReset ? " and resets its lifetime (refreshTokenDurationReset)" : " and its expiry"}`
      : `a refresh at Authlete rotates the refresh token${service.refreshTokenDurationKept ? ", keeping the remaining lifetime (refreshTokenDurationKept)" : `, with a fresh lifetime of the default ${service.refreshTokenDuration ?? 0} s`}`;
    found.push(finding("warning", "refresh_chain_settings", chain));
  }
  return found;
}

/** The default refresh lifetime a client's never-expiring legacy refresh tokens get (Authlete 3.0's rule). */
function defaultRefreshSeconds(service: ServiceFacts, client: ClientFacts): number | undefined {
  return client.extension.refreshTokenDuration || service.refreshTokenDuration;
}

/** Checks of one client against its rows. */
function clientFindings(
  clientId: number,
  client: ClientFacts,
  service: ServiceFacts,
  used: ServiceUsage,
  several: number,
): ServiceFinding[] {
  const found: ServiceFinding[] = [];
  for (const g of used.clients[clientId] ?? []) {
    if (!client.grantTypes.has(g))
      found.push(finding("error", "grant_type_not_allowed", `client ${clientId} does not allow ${g}`));
  }
  const never = used.refreshNeverExpires[clientId] ?? 0;
  if (never > 0)
    found.push(
      finding(
        "warning",
        "default_refresh_lifetime",
        `client ${clientId}: ${never} refresh token(s) never expire at the legacy server; Authlete gives them its default lifetime (${defaultRefreshSeconds(service, client) ?? "unknown"} s, or a scope's refresh_token.duration)`,
      ),
    );
  if (several > 0 && (service.singleAccessTokenPerSubject || client.singleAccessTokenPerSubject))
    found.push(
      finding(
        "error",
        "several_live_tokens_per_subject",
        `client ${clientId}: ${several} subject(s) have several live tokens, and singleAccessTokenPerSubject is on (${
          service.singleAccessTokenPerSubject ? "service" : "client"
        }): each create would revoke the subject's other tokens, logging users out; turn the setting off for the migration`,
      ),
    );
  return found;
}

/**
 * Read-only checks of the target service against what the dump will create: every client exists and
 * allows its grant types, every scope is supported, refresh tokens are supported if any are migrated,
 * and the settings that change what a create does (tokenExpirationLinked, singleAccessTokenPerSubject,
 * the refresh chain, default lifetimes) are named, adapted to, or refused.
 */
export async function checkService(
  authlete: AuthleteConnection,
  files: readonly string[],
  mapping: Mapping,
  read: ReadOptions,
  now: number,
  known?: ServiceUsage,
): Promise<ServiceCheck> {
  const { readClient, readService } = await import("../write/index.js");
  // The settings first: a refused bearer or an unreachable service stops the run before a long scan.
  const service = await readService(authlete);
  const used = known ?? (await serviceUsage(files, mapping, read, now));
  if ("error" in service)
    return {
      findings: [
        finding("error", "service_unreadable", `the service configuration cannot be read (${service.error})`),
      ],
      rules: { expirationLinked: true },
      rowRules: { unsupportedScopes: [], missingClients: [], disallowedGrantTypes: {} },
      rows: used.rows,
      usage: used,
    };
  const findings = serviceFindings(service, used);
  const rowRules: ServiceRowRules = {
    unsupportedScopes: used.scopes.filter((scope) => !service.scopes.has(scope)),
    missingClients: [],
    disallowedGrantTypes: {},
  };
  for (const clientId of Object.keys(used.clients).map(Number)) {
    const client = await readClient(authlete, clientId);
    if (client !== null && !("error" in client)) {
      const refused = (used.clients[clientId] ?? []).filter((g) => !client.grantTypes.has(g));
      if (refused.length > 0) rowRules.disallowedGrantTypes[clientId] = refused;
    }
    if (client === null) {
      rowRules.missingClients.push(clientId);
      findings.push(
        finding("error", "client_not_in_service", `client ${clientId} does not exist in the service`),
      );
    } else if ("error" in client)
      findings.push(
        finding("error", "service_unreadable", `client ${clientId} cannot be read (${client.error})`),
      );
    else
      findings.push(...clientFindings(clientId, client, service, used, used.severalByClient[clientId] ?? 0));
  }
  const several = Object.values(used.severalByClient).reduce((a, b) => a + b, 0);
  if (several > 0 && !findings.some((f) => f.code === "several_live_tokens_per_subject"))
    findings.push(
      finding(
        "warning",
        "several_live_tokens_per_subject",
        `${several} subject(s) have several live tokens for one client; singleAccessTokenPerSubject is off, so all of them are kept`,
      ),
    );
  return {
    findings,
    rowRules,
    rules: { expirationLinked: service.tokenExpirationLinked },
    rows: used.rows,
    usage: used,
  };
}
