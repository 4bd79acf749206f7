// npm run stress: hostile inputs too large for `npm test` (multi-GB gzip bombs, a 50 MB NDJSON line), each a
// whole `migrate --dry-run` process under /usr/bin/time; targets from issue 17, exit 1 when one is missed.
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import { measure, type Measured } from "./lib/measure.js";
import { cliPath } from "./lib/spawn-emulator.js";

// Kept between runs: a bomb takes ~8 s of CPU to compress.
const dir = join(tmpdir(), "authlete-migrate-stress");
mkdirSync(dir, { recursive: true });
const mapping = join(dir, "mapping.json");
writeFileSync(
  mapping,
  JSON.stringify({
    columns: {
      accessToken: "token",
      clientId: "client",
      subject: "user",
      accessTokenExpiresAt: "expires_at",
    },
    clients: { web: 26888344961664 },
    // The long-line rows carry their padding in a column of its own, read for nothing.
    ignore: ["padding"],
  }),
);
const bombBytes = 3 * 1024 ** 3;
const misses: string[] = [];

/** One `.gz` of ~3 MB: a CSV field or NDJSON line of `bombBytes` "x", or `bombBytes` of blank CSV lines. */
async function bomb(kind: "csv" | "ndjson" | "blank-csv"): Promise<string> {
  const file = join(dir, `bomb-3GiB-${kind}.${kind === "ndjson" ? "ndjson" : "csv"}.gz`);
  if (existsSync(file)) return file;
  const chunk = Buffer.alloc(1 << 20, kind === "blank-csv" ? "\n" : "x");
  async function* text() {
    yield kind === "ndjson"
      ? '{"token":"'
      : kind === "csv"
        ? "token,client,user,expires_at\nA1,"
        : "token,client\n";
    for (let n = 0; n < bombBytes; n += chunk.length) yield chunk;
    yield kind === "ndjson"
      ? '","client":"web"}\n'
      : kind === "csv"
        ? ",web,u1,2099-01-01T00:00:00Z\n"
        : "A1,web\n";
  }
  await pipeline(Readable.from(text()), createGzip({ level: 9 }), createWriteStream(`${file}.part`));
  renameSync(`${file}.part`, file);
  return file;
}

/** 100 ordinary rows around one row carrying `mb` MiB of random padding, plain and gzipped. */
function longLine(mb: number): { plain: string; gz: string } {
  const row = (i: number, extra = {}) =>
    JSON.stringify({
      token: `tok_${i}_${"a".repeat(32)}`,
      client: "web",
      user: `u${i}`,
      expires_at: "2099-01-01T00:00:00Z",
      ...extra,
    });
  const rows = Array.from({ length: 100 }, (_, i) => row(i));
  // Random padding: a repeated character would compress 1000× and be refused as a gzip bomb.
  rows.splice(50, 0, row(100, { padding: randomBytes((mb * 1024 * 1024 * 3) / 4).toString("base64") }));
  const plain = join(dir, `line-${mb}MiB.ndjson`);
  const text = `${rows.join("\n")}\n`;
  writeFileSync(plain, text);
  writeFileSync(`${plain}.gz`, gzipSync(text));
  return { plain, gz: `${plain}.gz` };
}

function dryRun(file: string, extra: string[] = []): Promise<Measured> {
  const args = [cliPath, "migrate", file, "--mapping", mapping, "--dry-run", "--quiet", "--json"];
  return measure(
    process.execPath,
    [...args, "--ledger", join(dir, `${Date.now()}.db`), ...extra],
    process.env,
    true,
  );
}

async function runs(file: string, extra: string[] = []): Promise<Measured[]> {
  const all: Measured[] = [];
  for (let i = 0; i < 3; i++) all.push(await dryRun(file, extra));
  return all;
}

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
const check = (ok: boolean, what: string) => (ok ? "met" : (misses.push(what), "MISSED"));

// Each bomb with the defaults (the gzip ratio guard stops it), and with the guard off (the record limit
// stops the long field or line; blank lines have no limit but the ratio, so that case is not repeated).
const guardOff = ["--max-gzip-ratio", "1000000"];
for (const [kind, extra] of [
  ["csv", []],
  ["ndjson", []],
  ["blank-csv", []],
  ["csv", guardOff],
  ["ndjson", guardOff],
] as const) {
  const all = await runs(await bomb(kind), [...extra]);
  const refused = all.every(
    (r) =>
      r.code === 2 &&
      /(decompresses to more than|larger than the maximum record size) .*\[source_invalid\]/.test(r.stderr),
  );
  const s = all.map((r) => r.seconds);
  const rss = Math.max(...all.map((r) => r.maxRssMb));
  const label = `3 GiB ${kind} gzip bomb${extra.length > 0 ? " (ratio guard off)" : ""}`;
  console.log(
    `${label}: refused=${refused} (${all[0]!.stderr
      .trim()
      .replace(/^.*?: /, "")
      .slice(
        0,
        90,
      )}) time min ${min(s)} s median ${median(s)} s (< 10 s: ${check(refused && median(s) < 10, `${label} time`)}), peak RSS ${rss} MB (< 300 MB: ${check(rss < 300, `${label} memory`)})`,
  );
}

const limit = ["--max-record-size", "64"];
const timed: Record<string, number> = {};
for (const mb of [25, 50]) {
  const { plain, gz } = longLine(mb);
  for (const [name, file] of [
    ["plain", plain],
    ["gz", gz],
  ] as const) {
    const all = await runs(file, limit);
    const rows = all.map((r) => (JSON.parse(r.stdout) as { rows: number; created: number }).created);
    const s = all.map((r) => r.seconds);
    // Ratios from the fastest of three: the least disturbed by whatever else the machine runs.
    timed[`${mb}-${name}`] = min(s);
    console.log(
      `${mb} MiB NDJSON line, ${name}, --max-record-size 64: rows to create ${rows.join("/")} (101 expected: ${check(
        rows.every((n) => n === 101),
        `${mb} ${name} rows`,
      )}), time min ${min(s)} s median ${median(s)} s, peak RSS ${Math.max(...all.map((r) => r.maxRssMb))} MB`,
    );
  }
}
const gzRatio = timed["50-gz"]! / timed["50-plain"]!;
const growth = timed["50-gz"]! / timed["25-gz"]!;
console.log(
  `50 MiB line gzipped / plain (min of 3 each): ${gzRatio.toFixed(2)}× (≤ 2×: ${check(gzRatio <= 2, "gz ratio")})`,
);
console.log(
  `gzipped 50 MiB / 25 MiB line (min of 3 each): ${growth.toFixed(2)}× (linear ≈ 2×, quadratic ≈ 4×; ≤ 3×: ${check(growth <= 3, "linear")})`,
);
const refusedLine = await dryRun(longLine(50).gz);
console.log(
  `50 MiB line with the default 8 MiB limit: exit ${refusedLine.code} in ${refusedLine.seconds} s, peak RSS ${refusedLine.maxRssMb} MB (${check(refusedLine.code === 2 && /line 51 is larger than the maximum record size/.test(refusedLine.stderr), "default limit")})`,
);
if (misses.length > 0) {
  console.log(`missed: ${misses.join(", ")}`);
  process.exitCode = 1;
}
