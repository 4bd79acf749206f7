import type { Mapping, MapResult } from "../map/index.js";
import type { ServiceRowRules } from "../preflight/index.js";
import { jwtVerifier } from "./jwt-verify.js";
import { serviceVerdict, serviceVerdicts } from "./service-verdict.js";

/**
 * The checks a mapped row passes before admission, in order: a JWT access token's signature (when the
 * mapping gives a key set), then what the service check shows Authlete would refuse. Synchronous unless a
 * signature is checked.
 */
export function rowCheck(
  mapping: Mapping,
  rules: ServiceRowRules | undefined,
): (result: MapResult, now: number) => MapResult | Promise<MapResult> {
  const verify = jwtVerifier(mapping);
  const verdicts = serviceVerdicts(rules);
  if (!verify) return (result) => serviceVerdict(result, verdicts);
  return async (result, now) => serviceVerdict(await verify(result, now), verdicts);
}
