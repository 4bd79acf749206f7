// A minimal oidc-provider server (npm `oidc-provider`, panva's certified OpenID Provider) for the interop
// suite, on loopback with the PostgreSQL adapter next to it. Authorization code with refresh tokens
// (rotated for op-web, kept for op-keep, as oidc-provider does for a confidential client), client credentials,
// RFC 7009 revocation and RFC 7662 introspection. Login and consent are one interaction route that takes
// the account from the query (the suite plays the user); everything else is oidc-provider's own.
import { createServer } from "node:http";
import Provider from "oidc-provider";
import { closePool, createSchema, PgAdapter } from "./pg-adapter.mjs";

const resource = "urn:interop:api";
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  adapter: PgAdapter,
  clients: [
    {
      client_id: "op-web",
      client_secret: "op-web-secret",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1/callback"],
    },
    {
      // Keeps its refresh token on refresh (oidc-provider's default for a confidential client).
      client_id: "op-keep",
      client_secret: "op-keep-secret",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1/callback"],
    },
    {
      client_id: "op-svc",
      client_secret: "op-svc-secret",
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
    },
  ],
  cookies: { keys: ["interop-only-not-a-secret"] },
  findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "read write",
        accessTokenFormat: "opaque",
        accessTokenTTL: 3600,
      }),
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => false },
  rotateRefreshToken: (ctx) => ctx.oidc.client.clientId !== "op-keep",
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    Grant: 30 * 24 * 3600,
    Interaction: 600,
    RefreshToken: 14 * 24 * 3600,
    Session: 24 * 3600,
  },
});

// The user logs in and consents to everything asked: ?account=alice on the interaction URL.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = String(ctx.query.account ?? "");
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? "openid"));
  grant.addResourceScope(resource, "read write");
  const grantId = await grant.save();
  await provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
});

await createSchema();
const server = createServer(provider.callback()).listen(port, "127.0.0.1");
const stop = () => server.close(() => closePool().then(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
