import { readFailure } from "../shared/text.js";
import { readFileSync } from "node:fs";
import { grantTypes, type EmulatorSeed, type GrantType } from "./types.js";

function fail(file: string, message: string): never {
  throw new Error(`Emulator seed ${file}: ${message}`);
}

function checkGrantTypes(file: string, where: string, value: unknown): GrantType[] {
  if (!Array.isArray(value)) fail(file, `${where} must be an array of grant types`);
  for (const g of value) {
    if (!grantTypes.includes(g as GrantType))
      fail(file, `${where} has unknown grant type ${JSON.stringify(g)}`);
  }
  return value as GrantType[];
}

/** Validates a parsed seed document and fills the defaults of the unconfirmed behaviours. */
export function parseSeed(raw: unknown, file = "<seed>"): EmulatorSeed {
  const doc = raw as Partial<EmulatorSeed>;
  if (!doc || !Array.isArray(doc.services) || doc.services.length === 0) fail(file, "needs a services array");
  if (!Array.isArray(doc.clients)) fail(file, "needs a clients array");
  for (const [i, s] of doc.services.entries()) {
    if (typeof s.serviceId !== "string" || !s.serviceId)
      fail(file, `services[${i}].serviceId must be a string`);
    if (!Array.isArray(s.bearers) || s.bearers.length === 0) fail(file, `services[${i}].bearers is empty`);
    checkGrantTypes(file, `services[${i}].supportedGrantTypes`, s.supportedGrantTypes);
  }
  for (const [i, c] of doc.clients.entries()) {
    if (!Number.isSafeInteger(c.clientId)) fail(file, `clients[${i}].clientId must be an integer`);
    if (!doc.services.some((s) => s.serviceId === c.serviceId)) {
      fail(file, `clients[${i}].serviceId ${JSON.stringify(c.serviceId)} is not a seeded service`);
    }
    checkGrantTypes(file, `clients[${i}].grantTypes`, c.grantTypes);
    if ("accessTokenDuration" in c || "refreshTokenDuration" in c)
      fail(file, `clients[${i}]: durations belong in "extension" (Authlete 3.0)`);
  }
  const refreshRule = doc.behaviour?.unsupportedRefreshToken;
  if (refreshRule !== undefined && refreshRule !== "drop" && refreshRule !== "reject")
    fail(file, `behaviour.unsupportedRefreshToken must be "drop" or "reject"`);
  const lineChannels = doc.lineChannels ?? [];
  for (const [i, c] of lineChannels.entries()) {
    if (typeof c.channelId !== "string" || typeof c.channelSecret !== "string")
      fail(file, `lineChannels[${i}] needs a channelId and a channelSecret (strings)`);
  }
  return {
    services: doc.services,
    clients: doc.clients,
    lineChannels,
    behaviour: {
      duplicateResultCode: "A109210",
      duplicateStatus: 400,
      unsupportedRefreshToken: "drop",
      foreignClientAnswer: "action",
      pastExpiryOnUpdate: "apply",
      ...doc.behaviour,
    },
  };
}

/** Reads and validates a seed JSON file. */
export function loadSeed(file: string): EmulatorSeed {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    // Never quoted: a file named by mistake (a key, a ledger) must not reach the terminal.
    fail(file, readFailure(error));
  }
  return parseSeed(raw, file);
}
