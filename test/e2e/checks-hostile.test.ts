import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { basicCredentials, secretForms } from "../../src/shared/outside.js";
import { runCli } from "../helpers/cli.js";
import { writeMapping } from "../helpers/dumps.js";
import { authleteEnv, bearer, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { writeFileSync } from "node:fs";

const secret = "Legacy/Secret+with=signs";
const clientId = "shadow client";
const escapes = "\x1b]52;c;aGk=\x07\x1b[2J\u202eevil";
const hasEscapes = (text: string) => text.includes("\x1b") || text.includes("\u202e");

/** Tokens whose encodings differ from their raw form (`/`, `+`, `=`), in a dump the generated mapping reads. */
function dump(dir: string, count: number, prefix = "Tok/with+plus"): { file: string; tokens: string[] } {
  const tokens = Array.from({ length: count }, (_, i) => `${prefix}${i}${"A".repeat(30)}==`);
  const expires = new Date(Date.now() + 3_600_000).toISOString();
  const file = join(dir, `${prefix.replace(/\W/g, "")}.csv`);
  writeFileSync(
    file,
    "token,refresh_token,client,user,scopes,expires_at,refresh_expires_at,revoked_at\n" +
      tokens.map((t) => `${t},,web,alice,openid,${expires},,`).join("\n") +
      "\n",
  );
  return { file, tokens };
}

/** A loopback HTTP server for one test, stopped (with its open sockets) when the test ends. */
async function serve(
  t: TestContext,
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
) {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => handle(req, res, body));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(async () => {
    for (const s of sockets) s.destroy();
    server.close();
    await once(server, "close");
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** `count` tokens migrated into a fresh emulator by a real run: what a check then works on. */
async function migrated(t: TestContext, count: number) {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const { file, tokens } = dump(dir, count);
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  const env = { ...authleteEnv(emulator), LEGACY_CLIENT_SECRET: secret };
  const run = await runCli(["migrate", file, "--mapping", mapping, "--ledger", ledger], env);
  assert.equal(run.code, 0, run.stderr);
  // `compare --all` of those tokens against the legacy server at `url`.
  const compare = (url: string, extra: string[] = [], changed: Record<string, string> = {}) =>
    runCli(
      ["compare", file, "--mapping", mapping, "--ledger", ledger, "--all", ...extra].concat([
        "--legacy-introspection",
        `${url}/introspect`,
        "--legacy-client-id",
        clientId,
      ]),
      { ...env, ...changed },
    );
  return { emulator, dir, file, tokens, mapping, ledger, env, compare };
}

/** Every form of every secret a run knows, looked for in what it printed and stored. */
function leaks(texts: string[], values: string[]): string[] {
  const forms = values.flatMap((v) => secretForms(v));
  return forms.filter((form) => texts.some((text) => text.includes(form)));
}

test("compare over hostile legacy answers: each a per-token error, echoes cleaned in every encoding, escapes escaped, and the run goes on", async (t) => {
  const checks = await migrated(t, 7);
  const { dir, tokens, ledger } = checks;
  const basic = basicCredentials(clientId, secret);
  const url = await serve(t, (req, res, body) => {
    const token = new URLSearchParams(body).get("token") ?? "";
    const mode = tokens.indexOf(token);
    const json = (text: string) => res.writeHead(200, { "content-type": "application/json" }).end(text);
    if (mode === 0) {
      // An error page that echoes the request in every encoding, with terminal escapes.
      res
        .writeHead(400)
        .end(
          `${escapes} raw=${token} form=${body} uri=${encodeURIComponent(token)} json=${JSON.stringify({ token }).replaceAll("/", "\\/")} auth=${req.headers.authorization ?? ""} basic=${basic} secret=${secret} b64=${Buffer.from(token).toString("base64")}`,
        );
    } else if (mode === 1) json("null");
    else if (mode === 2) json('{"active": true, "exp": 1e400}');
    else if (mode === 3) json('{"active": true, "exp": 1e20}');
    else if (mode === 4) {
      // Headers, then a body that never ends.
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"active": ');
    } else if (mode === 5) {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"active": tr');
      setTimeout(() => res.socket?.destroy(), 50);
    } else json(`{"active": true, "sub": "alice", "scope": "openid", "client_id": "web", "exp": 1}`);
  });
  const compare = await checks.compare(url, ["--timeout-ms", "1500"]);
  assert.equal(compare.code, 1, compare.stdout + compare.stderr);
  // Every token was compared; six answers were errors for their token only, the seventh a difference.
  assert.match(
    compare.stdout,
    /^Compared 7 of 7 migrated tokens with the legacy server: 0 match; differences: (error 6, expiry 1|expiry 1, error 6)\n/,
  );
  assert.match(
    compare.stdout,
    /answered 400: \\u\{1b\}\]52;c;aGk=\\u\{7\}\\u\{1b\}\[2J\\u\{202e\}evil raw=\[the token\] form=/,
  );
  assert.match(compare.stdout, /JSON that is not an object/);
  assert.match(compare.stdout, /an exp that is no time \(out of range\)/);
  assert.match(compare.stdout, /answer was cut off/);
  assert.ok(!hasEscapes(compare.stdout + compare.stderr), "no escape reaches the terminal");
  const stored = readFileSync(ledger).toString("latin1");
  // The report a user reads before cutover shows the verdicts: from the ledger, as cleaned.
  const out = join(dir, "report");
  assert.equal((await runCli(["report", "--ledger", ledger, "--out", out])).code, 0);
  const reports = ["report.html", "report.json"].map((f) => readFileSync(join(out, f), "utf8"));
  assert.deepEqual(
    leaks([compare.stdout, compare.stderr, stored, ...reports], [...tokens, secret, basic]),
    [],
  );
});

test("compare stops on refused legacy credentials after a few calls (exit 3), and never asks the legacy server when Authlete refuses", async (t) => {
  const checks = await migrated(t, 30);
  let calls = 0;
  const url = await serve(t, (_req, res) => {
    calls++;
    res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_client"}');
  });
  const refused = await checks.compare(url, ["--legacy-rate", "100"]);
  assert.equal(refused.code, 3, refused.stdout + refused.stderr);
  assert.match(
    refused.stderr,
    /refused --legacy-client-id's credentials 3 times in a row.*\[authentication_failed\]/,
  );
  // Three refusals, and at most the other three calls already on the wire (compare runs 4 at a time).
  assert.ok(calls >= 3 && calls <= 6, `${calls} calls: the run stopped at the third refusal`);
  calls = 0;
  const noAuthlete = await checks.compare(url, ["--legacy-rate", "100"], {
    AUTHLETE_BEARER: `${bearer}-wrong`,
  });
  assert.equal(noAuthlete.code, 3, noAuthlete.stdout + noAuthlete.stderr);
  assert.match(noAuthlete.stderr, /Authlete refused the credentials/);
  assert.equal(calls, 0, "the legacy server was never asked");
});

test("verify and compare: nothing checked is never 'fine', option values are refused by name, and Authlete's error text is cleaned", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const { file, tokens } = dump(dir, 3);
  const other = dump(dir, 2, "Other/").file;
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  await runCli(["migrate", file, "--mapping", mapping, "--ledger", ledger], authleteEnv(emulator));
  const verify = (args: string[], env = authleteEnv(emulator)) =>
    runCli(["verify", ...args, "--mapping", mapping, "--ledger", ledger], env);
  for (const [option, value] of [
    ["--sample", "0"],
    ["--sample", "-5"],
    ["--sample", "abc"],
    ["--timeout-ms", "-1"],
  ] as const) {
    const refused = await verify([file, option, value]);
    assert.equal(refused.code, 2, `${option} ${value}: ${refused.stderr}`);
    assert.match(refused.stderr, new RegExp(`${option} must be a whole number.*\\[usage\\]`));
  }
  const none = await verify([other, "--all"]);
  assert.equal(none.code, 1, none.stdout);
  assert.match(none.stdout, /Verified 0 of 0 .*\nNothing was checked/);

  // An Authlete stand-in whose introspection answers echo the token and carry escapes.
  const proxy = await serve(t, (req, res, body) => {
    if (req.url?.endsWith("/auth/introspection")) {
      const token = (JSON.parse(body) as { token: string }).token;
      res.writeHead(400, { "content-type": "application/json" });
      return res.end(
        JSON.stringify({
          resultCode: "A000000",
          resultMessage: `${escapes} [${token}] ${JSON.stringify(token)}`,
        }),
      );
    }
    const forward = httpRequest(
      `${emulator.baseUrl}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    forward.end(body);
  });
  const hostile = await verify([file, "--all"], { ...authleteEnv(emulator), AUTHLETE_BASE_URL: proxy });
  assert.equal(hostile.code, 1, hostile.stdout + hostile.stderr);
  assert.match(hostile.stdout, /error: rejected HTTP 400 \\u\{1b\}\]52/);
  assert.ok(!hasEscapes(hostile.stdout + hostile.stderr), "no escape reaches the terminal");
  const stored = readFileSync(ledger).toString("latin1");
  assert.deepEqual(leaks([hostile.stdout, hostile.stderr, stored], tokens), []);
});

test("compare paces the legacy server with the writer's pacer: its 429 Retry-After holds every later call", async (t) => {
  const checks = await migrated(t, 4);
  // Arrival times on the server's own clock: only a lower bound is asserted (load can only delay).
  const arrivals: number[] = [];
  const url = await serve(t, (_req, res) => {
    arrivals.push(performance.now());
    if (arrivals.length === 1) return res.writeHead(429, { "retry-after": "2" }).end();
    res.writeHead(200, { "content-type": "application/json" }).end('{"active": false}');
  });
  const compare = await checks.compare(url, ["--concurrency", "1", "--legacy-rate", "1000"]);
  assert.equal(compare.code, 1, compare.stdout + compare.stderr);
  assert.equal(arrivals.length, 4, "one call a token, none repeated");
  assert.ok(
    arrivals[1]! - arrivals[0]! >= 1900,
    `the second call waited out Retry-After (${arrivals[1]! - arrivals[0]!} ms)`,
  );
});
