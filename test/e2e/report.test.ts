import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "csv-parse/sync";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, webApp, withEmulator } from "../helpers/emulator.js";
import { demoFile, demoMigrateArgs } from "../helpers/demo.js";
import { tempDir } from "../helpers/paths.js";

const chromium = "/usr/bin/chromium";

/** Debian's Chromium, headless, as .ci/run installs it: the DOM after load, and a screenshot. */
function renderInChromium(page: string, screenshot: string, profile: string): string {
  const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ];
  const shot = spawnSync(
    chromium,
    [...flags, "--window-size=900,1700", `--screenshot=${screenshot}`, `file://${page}`],
    { timeout: 60_000 },
  );
  assert.equal(shot.status, 0, shot.stderr?.toString());
  const dom = spawnSync(chromium, [...flags, "--dump-dom", `file://${page}`], {
    timeout: 60_000,
    encoding: "utf8",
  });
  assert.equal(dom.status, 0, dom.stderr);
  return dom.stdout;
}

test(
  "migrate --report writes report.json, rejects.csv (no token values) and a report.html that Chromium renders",
  {
    skip:
      !existsSync(chromium) && !process.env.CI && "Debian's chromium is not installed (.ci/run installs it)",
  },
  async (t) => {
    const dir = tempDir(t);
    const out = join(dir, "report");
    const dry = await runCli(demoMigrateArgs(join(dir, "l.db"), ["--dry-run", "--report", out, "--quiet"]));
    assert.equal(dry.code, 1);
    const json = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as RunSummary;
    assert.deepEqual([json.rows, json.created, json.rejected], [12, 7, 2]);
    assert.equal(json.perClient["legacy-partner-uid"]?.rejected, 1);
    const rejects = parse(readFileSync(join(out, "rejects.csv")), { columns: true }) as Record<
      string,
      string
    >[];
    assert.deepEqual(
      rejects.map((r) => [r.record, r.line, r.reason]),
      [
        ["9", "10", "client_unknown"],
        ["11", "12", "subject_missing"],
      ],
    );
    assert.ok(rejects.every((r) => /^sha256:[A-Za-z0-9_-]{8}$/.test(r.fingerprint!)));
    for (const file of ["report.json", "report.html", "rejects.csv"])
      assert.equal(statSync(join(out, file)).mode & 0o777, 0o600);
    const values = readFileSync(demoFile("tokens.csv"), "utf8")
      .split("\n")
      .slice(1)
      .flatMap((l) => l.split(",").slice(1, 3))
      .filter((v) => v.length > 20);
    for (const file of ["report.json", "report.html", "rejects.csv"]) {
      const text = readFileSync(join(out, file), "utf8");
      assert.ok(
        values.every((v) => !text.includes(v)),
        `${file} holds no token value`,
      );
    }

    const dom = renderInChromium(join(out, "report.html"), join(dir, "dry.png"), join(dir, "profile"));
    for (const id of ["chart-outcomes", "chart-reasons", "chart-clients", "chart-lifetimes"])
      assert.match(dom, new RegExp(`<svg id="${id}"`));
    assert.match(dom, /<span class="n">7<\/span><span>would create<\/span>/);
    assert.match(dom, /client_unknown<\/td><td class="num">1<\/td>/);
    assert.ok(statSync(join(dir, "dry.png")).size > 20_000, "a real screenshot was taken");

    // A live run adds the throughput and 429 timeline; `report` rebuilds the files from the ledger alone.
    const { emulator } = await withEmulator(t, {
      faults: { latencyMs: 30, rateLimit: 20, rateLimitBurst: 2 },
    });
    const env = authleteEnv(emulator);
    const ledger = join(dir, "live.db");
    const live = await runCli(
      [
        "migrate",
        writeDump(dir, "t.csv", liveRows(120)),
        "--mapping",
        writeMapping(dir),
        "--ledger",
        ledger,
        "--rate",
        "40",
        "--quiet",
      ],
      env,
    );
    assert.equal(live.code, 0, live.stderr);
    const rebuilt = join(dir, "rebuilt");
    assert.equal((await runCli(["report", "--ledger", ledger, "--out", rebuilt])).code, 0);
    const liveDom = renderInChromium(
      join(rebuilt, "report.html"),
      join(dir, "live.png"),
      join(dir, "profile2"),
    );
    assert.match(liveDom, /<svg id="chart-throughput"/);
    assert.match(liveDom, /<polyline points="/);
    assert.match(liveDom, /429 answers: [1-9]/);
  },
);

test("rejects.csv names each row by record and by line, the same from migrate --report and from report", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const [a, b, c] = liveRows(3);
  // b's user name holds a line break (quoted, so one record over two lines): c's line is not its record + 1.
  const dump = writeDump(dir, "t.csv", [a!, { ...b!, user: "two\nlines" }, { ...c!, user: null }]);
  const ledger = join(dir, "l.db");
  const args = ["migrate", dump, "--mapping", writeMapping(dir), "--ledger", ledger];
  const live = await runCli([...args, "--report", join(dir, "live")], authleteEnv(emulator));
  assert.equal(live.code, 1, live.stderr);
  assert.equal((await runCli(["report", "--ledger", ledger, "--out", join(dir, "rebuilt")])).code, 0);
  const written = readFileSync(join(dir, "live", "rejects.csv"), "utf8");
  const rows = parse(written, { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((r) => [r.record, r.line, r.reason]),
    [
      ["2", "3", "subject_invalid"],
      ["3", "5", "subject_missing"],
    ],
  );
  assert.equal(readFileSync(join(dir, "rebuilt", "rejects.csv"), "utf8"), written);

  // The report says what the run read and with what, and names clients as the user knows them too.
  const json = JSON.parse(readFileSync(join(dir, "live", "report.json"), "utf8")) as RunSummary;
  assert.deepEqual(
    json.inputs?.sources.map((s) => [s.file, s.size > 0]),
    [[dump, true]],
  );
  assert.match(json.inputs!.mappingHash, /^[0-9a-f]{64}$/);
  assert.equal(json.inputs!.clock.given, false);
  assert.deepEqual(json.legacyClients?.[String(webApp)], ["web"]);
  const html = readFileSync(join(dir, "live", "report.html"), "utf8");
  assert.match(html, new RegExp(`<td>${webApp} <span class="muted">\\(legacy web\\)</span></td>`));
  assert.match(html, /<section id="inputs"><h2>What this run read<\/h2>.*this host's clock/s);
});
