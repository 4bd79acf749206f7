import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { mapRow, parseMapping, type Payload } from "../../src/map/index.js";
import { readRows, type SourceRow } from "../../src/read/index.js";
import { tempDir } from "../helpers/paths.js";

const now = Date.UTC(2025, 5, 1, 12);
const mapping = parseMapping(
  {
    columns: {
      accessToken: "token",
      refreshToken: "refresh",
      clientId: "client",
      subject: "user",
      scopes: "scope",
      grantType: "grant",
      issuedAt: "issued",
      accessTokenExpiresIn: "ttl",
      revokedAt: "revoked",
    },
    clients: { web: 1001, svc: { clientId: 1002, grantType: "CLIENT_CREDENTIALS" } },
    refreshTokenExpiry: "service-default",
    time: { neverExpires: ["never"] },
  },
  "property-mapping.json",
);
const runs = Number(process.env.PROPERTY_RUNS ?? 300);

const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant("never"),
  fc.constant(""),
);
const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,64}=*$/);

test("any row maps to exactly one outcome and never throws", () => {
  const row = fc.record({
    token: anyValue,
    refresh: anyValue,
    client: fc.oneof(anyValue, fc.constantFrom("web", "svc")),
    user: anyValue,
    scope: anyValue,
    grant: anyValue,
    issued: anyValue,
    ttl: anyValue,
    revoked: anyValue,
    extra: anyValue,
  });
  fc.assert(
    fc.property(row, (fields) => {
      const result = mapRow({ file: "p.csv", rowNo: 1, fields }, { mapping, now });
      assert.ok(["payload", "skipped", "rejected"].includes(result.kind));
      if (result.kind !== "payload") assert.ok(typeof result.reason === "string" && result.reason.length > 0);
    }),
    { numRuns: runs },
  );
});

test("a valid row keeps its token values byte for byte", () => {
  const valid = fc.record({
    token: b64token,
    refresh: fc.option(b64token, { nil: null }),
    client: fc.constant("web"),
    user: fc.stringMatching(/^[\x20-\x7e]{1,100}$/),
    scope: fc.constant("openid"),
    grant: fc.constant(null),
    issued: fc.constant("2025-06-01T11:00:00Z"),
    ttl: fc.integer({ min: 3601 + 60, max: 86_400 * 30 }),
    revoked: fc.constant(null),
  });
  fc.assert(
    fc.property(valid, (fields) => {
      fc.pre(fields.refresh !== fields.token);
      const result = mapRow({ file: "p.csv", rowNo: 1, fields }, { mapping, now }) as Payload;
      assert.equal(result.kind, "payload");
      assert.equal(result.request.accessToken, fields.token);
      assert.equal(result.request.refreshToken ?? null, fields.refresh);
      assert.equal(result.request.subject, fields.user);
    }),
    { numRuns: runs },
  );
});

async function readAll(file: string): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const row of readRows([file])) rows.push(row);
  return rows;
}

test("the CSV reader gives back exactly what was written: quotes, delimiters, newlines, unicode, NULL and empty", async (t) => {
  const dir = tempDir(t);
  const cell = fc.oneof(
    fc.constant(null),
    fc.string({ unit: "binary" }).filter((s: string) => !s.includes("\0")),
    fc.constantFrom('"', ",", "\n", "\r\n", ""),
  );
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 20 }),
      async (records) => {
        const quote = (v: string | null) => (v === null ? "" : `"${v.replace(/"/g, '""')}"`);
        const file = join(dir, `r${n++}.csv`);
        writeFileSync(file, `a,b,c\n${records.map((r) => r.map(quote).join(",")).join("\n")}\n`);
        const rows = await readAll(file);
        assert.deepEqual(
          rows.map((r) => [r.fields.a, r.fields.b, r.fields.c]),
          records,
        );
        assert.deepEqual(
          rows.map((r) => r.rowNo),
          records.map((_, i) => i + 1),
        );
      },
    ),
    { numRuns: Math.min(runs, 200) },
  );
});

test("the NDJSON reader yields one row per non-blank line, objects or rejected garbage, and never throws", async (t) => {
  const dir = tempDir(t);
  const line = fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
    fc.string().filter((s) => !s.includes("\n")),
    fc.constant(""),
    fc.constant("   "),
  );
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 30 }), async (lines) => {
      const file = join(dir, `r${n++}.ndjson`);
      writeFileSync(file, lines.join("\n"));
      const rows = await readAll(file);
      const kept = lines.filter((l) => l.trim() !== "");
      assert.equal(rows.length, kept.length);
      // Row i is line i: its object, or a rejected row with no fields when the line is no JSON object.
      kept.forEach((line, i) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          parsed = undefined;
        }
        const isObject = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
        if (isObject) assert.deepEqual([rows[i]!.error, rows[i]!.fields], [undefined, parsed]);
        else assert.deepEqual([typeof rows[i]!.error?.detail, rows[i]!.fields], ["string", {}]);
      });
    }),
    { numRuns: Math.min(runs, 200) },
  );
});
