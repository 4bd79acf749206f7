import type { Mapping } from "../map/types.js";
import { mapRow } from "../map/index.js";
import { readRows, type ReadOptions } from "../read/index.js";
import type { AuthleteConnection } from "../write/index.js";

export interface ServiceFinding {
  severity: "error" | "warning";
  code:
    | "service_unreadable"
    | "client_not_in_service"
    | "grant_type_not_allowed"
    | "scope_not_supported"
    | "refresh_not_supported"
    | "several_live_tokens_per_subject";
  detail: string;
}

/** (client, subject) pairs counted for the several-tokens warning; past this, counting stops. */
const pairLimit = 1_000_000;

/** What the tokens to create need from the service: clients with their grant types, scopes, refresh tokens. */
async function usage(files: readonly string[], mapping: Mapping, read: ReadOptions, now: number) {
  const clients = new Map<number, Set<string>>();
  const scopes = new Set<string>();
  const perSubject = new Map<string, number>();
  let refresh = false;
  for await (const row of readRows(files, read)) {
    const r = mapRow(row, { mapping, now });
    if (r.kind !== "payload") continue;
    const { clientId, grantType, subject } = r.request;
    if (!clients.has(clientId)) clients.set(clientId, new Set());
    clients.get(clientId)!.add(grantType);
    for (const s of r.request.scopes ?? []) scopes.add(s);
    if (r.request.refreshToken !== undefined) refresh = true;
    if (subject !== undefined && !r.refreshOnly && perSubject.size < pairLimit) {
      const pair = `${clientId} ${subject}`;
      perSubject.set(pair, (perSubject.get(pair) ?? 0) + 1);
    }
  }
  return { clients, scopes, refresh, perSubject };
}

/**
 * Read-only checks of the target service against what the dump will create: every client exists and
 * allows its grant types, every scope is supported, refresh tokens are supported if any are migrated,
 * and a warning where one subject has several live tokens for one client (Authlete's
 * single-access-token-per-subject setting could invalidate all but one).
 */
export async function checkService(
  authlete: AuthleteConnection,
  files: readonly string[],
  mapping: Mapping,
  read: ReadOptions,
  now: number,
): Promise<ServiceFinding[]> {
  const { readClient, readService } = await import("../write/index.js");
  const used = await usage(files, mapping, read, now);
  const findings: ServiceFinding[] = [];
  const service = await readService(authlete);
  if ("error" in service)
    return [
      {
        severity: "error",
        code: "service_unreadable",
        detail: `the service configuration cannot be read (${service.error})`,
      },
    ];
  for (const scope of [...used.scopes].sort()) {
    if (!service.scopes.has(scope))
      findings.push({
        severity: "error",
        code: "scope_not_supported",
        detail: `scope ${JSON.stringify(scope)} is not supported by the service`,
      });
  }
  if (used.refresh && !service.grantTypes.has("REFRESH_TOKEN")) {
    findings.push({
      severity: "error",
      code: "refresh_not_supported",
      detail: "refresh tokens are migrated but the service does not support REFRESH_TOKEN",
    });
  }
  for (const [clientId, grants] of used.clients) {
    const allowed = await readClient(authlete, clientId);
    if (allowed === null)
      findings.push({
        severity: "error",
        code: "client_not_in_service",
        detail: `client ${clientId} does not exist in the service`,
      });
    else if ("error" in allowed)
      findings.push({
        severity: "error",
        code: "service_unreadable",
        detail: `client ${clientId} cannot be read (${allowed.error})`,
      });
    else {
      for (const g of grants) {
        if (!allowed.has(g))
          findings.push({
            severity: "error",
            code: "grant_type_not_allowed",
            detail: `client ${clientId} does not allow ${g}`,
          });
      }
    }
  }
  const several = [...used.perSubject.values()].filter((n) => n > 1).length;
  if (several > 0) {
    findings.push({
      severity: "warning",
      code: "several_live_tokens_per_subject",
      detail: `${several} subject(s) have several live tokens for one client: Authlete's single-access-token-per-subject setting would keep only one`,
    });
  }
  return findings;
}
