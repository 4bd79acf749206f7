import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { runCli, startCli, type CliResult } from "../helpers/cli.js";
import { generatedMapping, liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { bearer, serviceId, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { until } from "../helpers/wait.js";

/** A server on 127.0.0.1 that answers every request with `answer`; stopped when the test ends. */
async function loopbackServer(
  t: TestContext,
  answer: (url: URL, res: import("node:http").ServerResponse) => void,
): Promise<string> {
  const server: Server = createServer((req, res) => answer(new URL(req.url ?? "/", "http://x"), res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw escape, bell or right-to-left override: what must never reach a terminal or page. */
const hasRaw = (text: string) => ["\u001b", "\u0007", "\u202e"].some((c) => text.includes(c));

/** A dry run of `dump` with `mapping`, as an operator would type it. */
const dryRunWith = (dump: string, mapping: string, ledger: string) =>
  runCli(["migrate", dump, "--mapping", mapping, "--dry-run", "--ledger", ledger]);

function assertNoneShown(results: CliResult[], secrets: string[]): void {
  for (const [i, r] of results.entries()) {
    for (const secret of secrets) {
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `command ${i} shows a secret`);
    }
  }
}

test("a bearer with a line break or a non-ASCII character, and credentials in the base URL, are refused without being shown", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const args = ["migrate", writeDump(dir, "t.csv", liveRows(2)), "--mapping", writeMapping(dir)];
  const ledger = (name: string) => ["--ledger", join(dir, `${name}.db`)];
  const env = { AUTHLETE_BASE_URL: emulator.baseUrl, AUTHLETE_SERVICE_ID: serviceId };
  const rotated = join(dir, "bearer.txt");
  writeFileSync(rotated, `${bearer}\n# rotated 2026-11-01: old-bearer-value\n`, { mode: 0o600 });
  const results = [
    await runCli([...args, ...ledger("a"), "--bearer-file", rotated], env),
    await runCli([...args, ...ledger("b"), "--dry-run", "--check-service", "--bearer-file", rotated], env),
    await runCli([...args, ...ledger("c")], { ...env, AUTHLETE_BEARER: `${bearer}\r\nX-Injected: 1` }),
    await runCli([...args, ...ledger("d")], { ...env, AUTHLETE_BEARER: `${bearer}→` }),
    await runCli([...args, ...ledger("e"), "--base-url", "http://u:SECRET-in-url@127.0.0.1:1/"], {
      ...env,
      AUTHLETE_BEARER: bearer,
    }),
  ];
  for (const [i, r] of results.entries()) {
    assert.equal(r.code, 2, `command ${i}: ${r.stderr}`);
    assert.match(r.stderr, /\[config_invalid\]/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
  assert.match(results[0]!.stderr, /one line of visible ASCII; it holds a line break/);
  assert.match(results[4]!.stderr, /must not hold credentials/);
  assertNoneShown(results, [bearer, "old-bearer-value", "SECRET-in-url", "X-Injected"]);
  assert.equal(emulator.store.stats().calls["service/get"], undefined, "nothing was sent");
});

test("a secret file named as the mapping, clients file, key-ID file or JWKS is never quoted", async (t) => {
  const dir = tempDir(t);
  const dump = writeDump(dir, "t.csv", liveRows(2));
  const results: CliResult[] = [];
  // The last: valid JSON with a key given twice, refused for it (its values never quoted).
  const twice = (v: string) => `{"d": "${v}-first", "d": "${v}"}`;
  for (const secret of ["k3y-0123", "-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkq", "s3cr3t-d-9f2"]) {
    const file = join(dir, "secret.txt");
    writeFileSync(file, secret.startsWith("s3cr3t") ? twice(secret) : secret);
    const mappings = [
      file,
      writeMapping(dir, { ...generatedMapping, clients: undefined, clientsFile: "secret.txt" }, "m1.json"),
      writeMapping(
        dir,
        { ...generatedMapping, validKeyIds: { column: "kid", file: "secret.txt" } },
        "m2.json",
      ),
      writeMapping(dir, { ...generatedMapping, jwt: { claims: true, jwks: file } }, "m3.json"),
    ];
    // Each refusal says why (a JSON file that is not JSON, or repeats a key; a clients file that is no
    // clients CSV), never with the content.
    const json = secret.startsWith("s3cr3t") ? /has a key given twice in one object/ : /is not valid JSON/;
    const why = [
      json,
      /clientsFile .*secret\.txt (line 1: expected legacy_id,client_id|cannot be parsed \(\w+\))/,
      json,
      json,
    ];
    for (const [i, mapping] of mappings.entries()) {
      const r = await dryRunWith(dump, mapping, join(dir, "l.db"));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, why[i]!);
      assert.match(r.stderr, /\[mapping_invalid\]$/m);
      results.push(r);
    }
    assertNoneShown(results, [secret, secret.slice(0, 8)]);
  }
});

test("control and bidi characters from a dump are shown escaped on the terminal and in the report", async (t) => {
  const dir = tempDir(t);
  const rows = liveRows(3);
  rows[0] = { ...rows[0]!, client: "evil\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u202egnp.exe" };
  const dump = writeDump(dir, "t.csv", rows);
  const report = join(dir, "report");
  const r = await runCli([
    "migrate",
    dump,
    "--mapping",
    writeMapping(dir),
    "--dry-run",
    "--ledger",
    join(dir, "l.db"),
    "--report",
    report,
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(!hasRaw(r.stdout + r.stderr), "no raw control or bidi character reaches the terminal");
  assert.match(r.stdout, /evil\\u\{1b\}\]52;c;cm0gLXJmIH4=\\u\{7\}\\u\{1b\}\[2J\\u\{202e\}gnp\.exe/);
  const html = (await import("node:fs")).readFileSync(join(report, "report.html"), "utf8");
  assert.ok(!hasRaw(html), "nor the HTML report");
});

test("an issuer that redirects or echoes the client assertion: the assertion goes nowhere else and is never shown", async (t) => {
  const dir = tempDir(t);
  const seen: string[] = [];
  const echo = await loopbackServer(t, (url, res) => {
    const assertion = url.searchParams.get("client_assertion") ?? "";
    seen.push(assertion);
    res.writeHead(400, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ error: "invalid_client", error_description: `bad assertion ${assertion} \u001b[2J` }),
    );
  });
  const elsewhere: string[] = [];
  const other = await loopbackServer(t, (url, res) => {
    elsewhere.push(url.href);
    res.end('{"kids":[]}');
  });
  const redirecting = await loopbackServer(t, (url, res) => {
    res.writeHead(307, { location: `${other}${url.pathname}${url.search}` }).end();
  });
  const [priv, pub] = [join(dir, "p.jwk.json"), join(dir, "pub.jwk.json")];
  assert.equal((await runCli(["keygen", "--private-key", priv, "--public-key", pub])).code, 0);
  const dump = join(dir, "log.ndjson");
  writeFileSync(dump, "");
  const results: CliResult[] = [];
  for (const baseUrl of [echo, redirecting]) {
    const mapping = writeMapping(
      dir,
      {
        extends: "line-channel-access-token-v2.1",
        clients: { "1657000001": 26888344961666 },
        validKeyIds: {
          column: "response.key_id",
          line: { channels: { "1657000001": { privateKey: priv, kid: "k1" } } },
        },
      },
      "line.json",
    );
    const r = await runCli(["line-kids", "--mapping", mapping, "--line-base-url", baseUrl]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\[issuer_failed\]/);
    assert.ok(!r.stderr.includes("\u001b"), "the issuer's words are defused");
    results.push(r);
  }
  assert.match(results[1]!.stderr, /redirect \(307\).*never follows one/);
  assert.deepEqual(elsewhere, [], "the assertion never went to the redirect's target");
  assert.ok(seen.length >= 1 && seen.every((a) => a.length > 100));
  assertNoneShown(results, seen);
});

test("an Authlete URL that answers with a redirect stops the run before any row", async (t) => {
  const dir = tempDir(t);
  const target = await loopbackServer(t, (_url, res) => {
    res.writeHead(307, { location: "http://127.0.0.1:1/elsewhere" }).end();
  });
  const r = await runCli(
    [
      "migrate",
      writeDump(dir, "t.csv", liveRows(3)),
      "--mapping",
      writeMapping(dir),
      "--ledger",
      join(dir, "l.db"),
    ],
    { AUTHLETE_BASE_URL: target, AUTHLETE_SERVICE_ID: serviceId, AUTHLETE_BEARER: bearer },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /answered a redirect \(HTTP 307\).*\[config_invalid\]/);
});

test("report files never follow a planted link and are 0600 in a 0700 directory", async (t) => {
  const {
    symlinkSync,
    readFileSync,
    statSync,
    writeFileSync: write,
    mkdirSync,
    chmodSync,
  } = await import("node:fs");
  const dir = tempDir(t);
  const rows = liveRows(3);
  rows[1] = { ...rows[1]!, client: '=HYPERLINK("http://evil.example/")' };
  const dump = writeDump(dir, "=cmd.csv", rows);
  const args = (report: string, ledger: string) => [
    "migrate",
    dump,
    "--mapping",
    writeMapping(dir),
    "--dry-run",
    "--ledger",
    join(dir, ledger),
    "--report",
    report,
  ];

  const fresh = join(dir, "fresh", "nested");
  const first = await runCli(args(fresh, "a.db"));
  assert.equal(first.code, 1, first.stderr);
  assert.equal(statSync(fresh).mode & 0o777, 0o700);
  assert.equal(statSync(join(fresh, "rejects.csv")).mode & 0o777, 0o600);

  const planted = join(dir, "planted");
  mkdirSync(planted);
  const victim = join(dir, "victim.txt");
  write(victim, "do not touch\n");
  symlinkSync(victim, join(planted, "rejects.csv"));
  const refused = await runCli(args(planted, "b.db"));
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /rejects\.csv is a symbolic link, which a report never follows/);
  assert.equal(readFileSync(victim, "utf8"), "do not touch\n");

  const linked = join(dir, "linked");
  mkdirSync(linked);
  symlinkSync(victim, join(linked, "report.html"));
  write(join(linked, "report.json"), "{}");
  chmodSync(join(linked, "report.json"), 0o644);
  assert.equal((await runCli(args(linked, "c.db"))).code, 1);
  assert.equal(readFileSync(victim, "utf8"), "do not touch\n", "the link is replaced, not followed");
  assert.equal(statSync(join(linked, "report.json")).mode & 0o777, 0o600);
  assert.equal(statSync(join(linked, "report.html")).mode & 0o777, 0o600);
});

test("another program's SQLite file, or a file that is no database, is refused as a ledger and left untouched", async (t) => {
  const { default: Database } = await import("better-sqlite3");
  const { readFileSync, statSync, symlinkSync, writeFileSync: write, chmodSync } = await import("node:fs");
  const dir = tempDir(t);
  const foreign = join(dir, "app.db");
  const db = new Database(foreign);
  db.exec("CREATE TABLE runs (name TEXT); INSERT INTO runs VALUES ('theirs');");
  db.close();
  chmodSync(foreign, 0o644);
  const notDb = join(dir, "notes.txt");
  write(notDb, "my notes, not a database\n");
  chmodSync(notDb, 0o644);
  const link = join(dir, "link.db");
  symlinkSync(notDb, link);
  for (const file of [foreign, notDb, link]) {
    const before = readFileSync(file);
    for (const args of [
      ["status", "--ledger", file],
      [
        "migrate",
        writeDump(dir, "t.csv", liveRows(1)),
        "--mapping",
        writeMapping(dir),
        "--dry-run",
        "--ledger",
        file,
      ],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /not an authlete-migrate ledger|not a ledger.*\[ledger_invalid\]/);
    }
    assert.deepEqual(readFileSync(file), before, `${file} unchanged`);
    assert.equal(statSync(file).mode & 0o777, 0o644, `${file} not chmod'ed`);
  }
  const ours = join(dir, "ours.db");
  assert.equal(
    (
      await runCli([
        "migrate",
        writeDump(dir, "t.csv", liveRows(1)),
        "--mapping",
        writeMapping(dir),
        "--dry-run",
        "--ledger",
        ours,
      ])
    ).code,
    0,
  );
  assert.equal((await runCli(["status", "--ledger", ours])).code, 0, "a ledger of this tool opens");
});

test("a JWKS that cannot be fetched stops the run (marked aborted) instead of rejecting every JWT row", async (t) => {
  const { SignJWT, generateKeyPair } = await import("jose");
  const dir = tempDir(t);
  const failing = await loopbackServer(t, (_url, res) => res.writeHead(500).end("down"));
  const { privateKey } = await generateKeyPair("RS256");
  const jwt = await new SignJWT({ client_id: "web", sub: "alice", scope: "openid" })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(privateKey);
  writeFileSync(join(dir, "t.csv"), `token,user,client\n${jwt},,\n${jwt.slice(0, -2)}xy,,\n`);
  const mapping = writeMapping(dir, {
    columns: { accessToken: "token", subject: "user", clientId: "client" },
    clients: { web: 26888344961664 },
    jwt: { claims: true, jwks: `${failing}/jwks.json` },
  });
  const ledger = join(dir, "l.db");
  const r = await runCli([
    "migrate",
    join(dir, "t.csv"),
    "--mapping",
    mapping,
    "--dry-run",
    "--ledger",
    ledger,
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /the JWKS cannot be fetched \(ERR_JOSE_GENERIC\).*\[issuer_failed\]/);
  const { ledgerStatus } = await import("../helpers/ledger.js");
  assert.deepEqual(
    ledgerStatus(ledger).runs.map((run) => run.status),
    ["aborted"],
  );
});

test("a mapping holding a __proto__ key, or a clients file outside its directory, is refused", async (t) => {
  const dir = tempDir(t);
  const dump = writeDump(dir, "t.csv", liveRows(1));
  const proto = join(dir, "proto.json");
  writeFileSync(proto, `{"extends":"doorkeeper","__proto__":{"polluted":true},"clients":{"web":1}}`);
  const outside = writeMapping(
    dir,
    { ...generatedMapping, clients: undefined, clientsFile: "../../etc/passwd" },
    "outside.json",
  );
  for (const [mapping, why] of [
    [proto, /"__proto__" key/],
    [outside, /clientsFile must be a path inside the mapping's directory/],
  ] as const) {
    const r = await dryRunWith(dump, mapping, join(dir, "l.db"));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, why);
    assert.match(r.stderr, /\[mapping_invalid\]/);
  }
});

test("a SIGTERM while the reader skips a long stretch that yields no row ends the run, recorded interrupted", async (t) => {
  const dir = tempDir(t);
  // Three million whitespace-only lines: no row among them, and each costs the CSV parser a skip.
  const dump = join(dir, "spaces.csv");
  writeFileSync(
    dump,
    `token,client,user,expires_at\n${" \n".repeat(3_000_000)}A1,web,u1,2099-01-01T00:00:00Z\n`,
  );
  const ledger = join(dir, "l.db");
  const run = startCli(["migrate", dump, "--mapping", writeMapping(dir), "--dry-run", "--ledger", ledger]);
  t.after(() => void run.child.kill("SIGKILL")); // a run that ignored the signal does not outlive the test
  let exited = false;
  void run.result.then(() => (exited = true));
  await until(() => exited || runsOf(ledger).length > 0, "the dry run to start");
  run.child.kill("SIGTERM");
  // Without the stop reaching the reader, the run went on to the last line (~90 s of skipping).
  await until(() => exited, "the dry run to end after SIGTERM", 30_000);
  const result = await run.result;
  assert.equal(result.code, 3, result.stderr);
  assert.deepEqual(
    runsOf(ledger).map((r) => r.status),
    ["interrupted"],
  );
});

/** The runs a ledger file holds, read-only (an empty list while the file is not yet a ledger). */
function runsOf(file: string): { status: string }[] {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT status FROM runs ORDER BY id").all() as { status: string }[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

test("a file name holding an escape sequence reaches the terminal escaped in an error", async (t) => {
  const dir = tempDir(t);
  const name = join(dir, "\u001b]52;c;cHduZWQ=\u0007\u202etxt.csv");
  const result = await runCli([
    "migrate",
    name,
    "--mapping",
    writeMapping(dir),
    "--dry-run",
    "--ledger",
    join(dir, "l.db"),
  ]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /source file not found: .*\\u\{1b\}\]52;c;cHduZWQ=\\u\{7\}\\u\{202e\}txt\.csv \[usage\]/,
  );
  assert.ok(!hasRaw(result.stderr), "no raw escape, bell or bidi override");
});
