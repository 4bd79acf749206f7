import { randomUUID } from "node:crypto";
import {
  defaultDuration,
  findClient,
  generateTokenValue,
  isObject,
  linkedExpiry,
  revokeOthersOfSubject,
  result,
  type Reply,
  type RouteContext,
} from "../context.js";
import { grantTypes, type GrantType, type StoredToken, type TokenAttributes } from "../types.js";
import { reservedPropertyKeys } from "../../shared/wire.js";

const maxPropertiesBytes = 65_535;

function badRequest(code: string, text: string): Reply {
  return { status: 400, body: { ...result(code, text), action: "BAD_REQUEST" } };
}

function optionalDuration(value: unknown, name: string): number | Reply {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    return badRequest("A109207", `${name} must be a non-negative integer.`);
  }
  return value;
}

/** POST /api/{serviceId}/auth/token/create */
export function createToken(ctx: RouteContext, body: unknown): Reply {
  if (!isObject(body)) return badRequest("A109201", "The request body is not a JSON object.");
  const grantType = body.grantType as GrantType;
  if (!grantTypes.includes(grantType) || grantType === "REFRESH_TOKEN") {
    return badRequest("A109202", `The grant type is invalid: ${String(body.grantType)}`);
  }
  const identifier = body.clientId ?? body.clientIdentifier;
  if (identifier === undefined || identifier === 0) return badRequest("A109203", "The client ID is missing.");
  const client = findClient(ctx, identifier);
  const foreign = ctx.seed.clients.some((c) => String(c.clientId) === String(identifier));
  if (!client && foreign && ctx.seed.behaviour.foreignClientAnswer === "plain") {
    // [U] A client of another service: a plain 403 body, without an action, as the generic errors have.
    return {
      status: 403,
      body: result("A109305", `The client does not belong to this service: ${String(identifier)}`),
    };
  }
  if (!client) {
    return {
      status: 403,
      body: { ...result("A109304", `No such client: ${String(identifier)}`), action: "FORBIDDEN" },
    };
  }

  const subjectIgnored = grantType === "CLIENT_CREDENTIALS";
  const subject = subjectIgnored ? null : typeof body.subject === "string" ? body.subject : null;
  if (subject === null && !subjectIgnored && grantType !== "JWT_BEARER") {
    return badRequest("A109204", "The subject is missing.");
  }
  if (subject !== null && (!/^[\x20-\x7e]*$/.test(subject) || subject.length > 100)) {
    return badRequest("A109205", "The subject must be ASCII and at most 100 characters.");
  }

  const scopes = Array.isArray(body.scopes) ? (body.scopes as unknown[]).map(String) : [];
  const unsupported = scopes.filter((s) => !ctx.service.supportedScopes.includes(s));
  if (unsupported.length > 0) return badRequest("A109206", `Unsupported scopes: ${unsupported.join(" ")}`);

  const accessDuration = optionalDuration(body.accessTokenDuration, "accessTokenDuration");
  if (typeof accessDuration !== "number") return accessDuration;
  const refreshDuration = optionalDuration(body.refreshTokenDuration, "refreshTokenDuration");
  if (typeof refreshDuration !== "number") return refreshDuration;

  const refreshSupported =
    ctx.service.supportedGrantTypes.includes("REFRESH_TOKEN") &&
    grantType !== "CLIENT_CREDENTIALS" &&
    grantType !== "IMPLICIT";
  if (
    body.refreshToken !== undefined &&
    !refreshSupported &&
    ctx.seed.behaviour.unsupportedRefreshToken === "reject"
  ) {
    // [U] The docs say such a refresh token "is not created"; dropping it with a 200 is the default here.
    return badRequest("A109208", "A refresh token cannot be issued for this grant type or service.");
  }

  const properties = Array.isArray(body.properties)
    ? (body.properties as unknown[])
        .filter(isObject)
        .map((p) => ({ key: String(p.key), value: String(p.value ?? ""), hidden: p.hidden === true }))
        .filter((p) => !reservedPropertyKeys.has(p.key))
    : [];
  if (Buffer.byteLength(JSON.stringify(properties)) > maxPropertiesBytes) {
    return badRequest("A109209", "The properties are too large.");
  }

  const accessToken = typeof body.accessToken === "string" && body.accessToken ? body.accessToken : null;
  const givenRefresh = typeof body.refreshToken === "string" && body.refreshToken ? body.refreshToken : null;
  const accessValue = accessToken ?? generateTokenValue();
  const refreshValue = refreshSupported ? (givenRefresh ?? generateTokenValue()) : null;
  const accessHash = ctx.hash(accessValue);
  const refreshHash = refreshValue === null ? null : ctx.hash(refreshValue);
  const duplicate =
    ctx.store.byAccessHash(accessHash) !== undefined ||
    (refreshHash !== null && ctx.store.byRefreshHash(refreshHash) !== undefined);
  if (duplicate) {
    const { duplicateResultCode, duplicateStatus } = ctx.seed.behaviour;
    return {
      status: duplicateStatus,
      body: { ...result(duplicateResultCode, "The token already exists."), action: "BAD_REQUEST" },
    };
  }

  const now = ctx.now();
  const persistent = body.accessTokenPersistent === true;
  const accessSeconds = accessDuration || defaultDuration(ctx, client, scopes, "accessTokenDuration");
  const refreshSeconds = refreshDuration || defaultDuration(ctx, client, scopes, "refreshTokenDuration");
  const refreshExpiresAt = refreshHash === null ? null : now + refreshSeconds * 1000;
  const accessExpiresAt = linkedExpiry(ctx, persistent ? null : now + accessSeconds * 1000, refreshExpiresAt);
  revokeOthersOfSubject(ctx, client, subject);
  const token: StoredToken = {
    accessHash,
    refreshHash,
    serviceId: ctx.service.serviceId,
    clientId: client.clientId,
    subject,
    grantType,
    scopes,
    accessExpiresAt,
    refreshExpiresAt,
    properties,
    createdAt: now,
    tokenId: randomUUID(),
    certificateThumbprint: typeof body.certificateThumbprint === "string" ? body.certificateThumbprint : null,
    dpopKeyThumbprint: typeof body.dpopKeyThumbprint === "string" ? body.dpopKeyThumbprint : null,
    attributes: attributesOf(body),
  };
  ctx.store.insert(token, true);

  return {
    status: 200,
    body: {
      ...result(
        "A109001",
        `An access token was created successfully: ${grantType.toLowerCase()}, client = ${client.clientId}`,
      ),
      action: "OK",
      accessToken: accessValue,
      ...(refreshValue === null ? {} : { refreshToken: refreshValue }),
      clientId: client.clientId,
      // [U] persistent tokens: 0 stands for "never" in expiresAt/expiresIn here.
      expiresAt: token.accessExpiresAt ?? 0,
      expiresIn: accessExpiresAt === null ? 0 : Math.round((accessExpiresAt - now) / 1000),
      grantType,
      scopes,
      ...(subject === null ? {} : { subject }),
      properties,
      tokenType: token.dpopKeyThumbprint ? "DPoP" : "Bearer",
      tokenId: token.tokenId,
    },
  };
}

/** The optional attributes of a create, kept as sent. */
function attributesOf(body: Record<string, unknown>): TokenAttributes {
  const a: TokenAttributes = {};
  if (Array.isArray(body.resources)) a.resources = (body.resources as unknown[]).map(String);
  if (typeof body.acr === "string") a.acr = body.acr;
  if (typeof body.authTime === "number") a.authTime = body.authTime;
  if (isObject(body.authorizationDetails)) a.authorizationDetails = body.authorizationDetails;
  if (typeof body.sessionId === "string") a.sessionId = body.sessionId;
  if (typeof body.clientIdAliasUsed === "boolean") a.clientIdAliasUsed = body.clientIdAliasUsed;
  return a;
}
