import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseInstant, parseSeconds } from "../../src/map/time.js";

const noonUtc = Date.UTC(2025, 5, 1, 12, 0, 0);

test("ISO 8601 and SQL timestamps with a zone are read as the instant they name", () => {
  for (const value of [
    "2025-06-01T12:00:00Z",
    "2025-06-01T12:00:00.000Z",
    "2025-06-01 12:00:00+00",
    "2025-06-01 21:00:00+09",
    "2025-06-01 21:00:00+09:00",
    "2025-06-01T07:30:00-04:30",
    "2025-06-01 12:00:00.000000+00",
  ]) {
    assert.equal(parseInstant(value, "Asia/Tokyo"), noonUtc, value);
  }
});

test("epoch seconds and epoch milliseconds are told apart by magnitude", () => {
  assert.equal(parseInstant("1748779200", "UTC"), noonUtc);
  assert.equal(parseInstant(1748779200, "UTC"), noonUtc);
  assert.equal(parseInstant("1748779200000", "UTC"), noonUtc);
  assert.equal(parseInstant(1748779200123, "UTC"), noonUtc + 123);
});

test("sub-millisecond fractions are truncated so an expiry never moves later", () => {
  assert.equal(parseInstant("2025-06-01 12:00:00.999999", "UTC"), noonUtc + 999);
});

test("the same zone-less wall clock is read in UTC, Asia/Tokyo and a DST-changing zone", () => {
  const wall = "2025-06-01 12:00:00";
  assert.equal(parseInstant(wall, "UTC"), noonUtc);
  assert.equal(parseInstant(wall, "Asia/Tokyo"), noonUtc - 9 * 3600_000);
  assert.equal(parseInstant(wall, "America/New_York"), noonUtc + 4 * 3600_000, "EDT in June");
  assert.equal(
    parseInstant("2025-01-15 12:00:00", "America/New_York"),
    Date.UTC(2025, 0, 15, 17),
    "EST in January",
  );
  assert.equal(parseInstant("2025-06-01T12:00:00", "Europe/Paris"), noonUtc - 2 * 3600_000);
});

test("values that are not times, or out of range, are refused (a zone offset beyond ±14:00 too)", () => {
  for (const value of [
    "",
    "yesterday",
    "2025-13-01 00:00:00",
    "2025-02-30",
    "2025-06-01 25:00:00",
    "99999999999999999",
    "-5",
    {},
    "2030-01-01T00:00:00-99:99",
    "2030-01-01T00:00:00+15:00",
    "2030-01-01T00:00:00+05:60",
  ]) {
    assert.equal(parseInstant(value, "UTC"), undefined, JSON.stringify(value));
  }
  assert.equal(parseInstant("2030-01-01T00:00:00+14:00", "UTC"), Date.UTC(2029, 11, 31, 10));
  assert.equal(parseInstant("2030-01-01T00:00:00-12:00", "UTC"), Date.UTC(2030, 0, 1, 12));
});

test("durations are non-negative whole seconds of at most ten years", () => {
  assert.equal(parseSeconds("3600"), 3600);
  assert.equal(parseSeconds(0), 0);
  for (const value of ["-1", "1.5", "abc", 10 * 366 * 86400, null])
    assert.equal(parseSeconds(value), undefined, String(value));
});

test("the common UTC shape is read as the general ISO reading reads the same instant written +00:00", () => {
  const digits = (n: number) =>
    fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, "0"));
  fc.assert(
    fc.property(
      fc.tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3))),
      ([y, mo, d, h, mi, s, ms]) => {
        const text = `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? "" : `.${ms}`}`;
        assert.equal(parseInstant(`${text}Z`, "UTC"), parseInstant(`${text}+00:00`, "UTC"), text);
      },
    ),
    { numRuns: 3000 },
  );
  assert.equal(parseInstant("2026-02-29T00:00:00Z", "UTC"), undefined);
  assert.equal(parseInstant("2028-02-29T23:59:59.999Z", "UTC"), Date.UTC(2028, 1, 29, 23, 59, 59, 999));
  assert.equal(parseInstant("2026-1a-01T00:00:00Z", "UTC"), undefined);
});

test("a year is read as written: 0070 is the year 70 (refused, before 1970), never 1970", () => {
  for (const text of ["0070-01-01T00:00:00Z", "0070-01-01T00:00:00+00:00", "0099-12-31 23:59:59"])
    assert.equal(parseInstant(text, "UTC"), undefined, text);
  assert.equal(parseInstant("2100-02-29T00:00:00Z", "UTC"), undefined, "2100 is not a leap year");
  assert.equal(parseInstant("2100-03-01T00:00:00.001Z", "UTC"), Date.UTC(2100, 2, 1, 0, 0, 0, 1));
  assert.equal(parseInstant("2000-02-29T12:00:00+09:00", "UTC"), Date.UTC(2000, 1, 29, 3));
});
