import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";

const script = "/usr/bin/script";
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

test(
  "on a terminal the live run draws a progress bar to 100 %, with no token value in what it draws",
  { skip: !existsSync(script) && "util-linux script(1) is not installed" },
  async (t) => {
    const dir = tempDir(t);
    const { emulator } = await withEmulator(t);
    const rows = liveRows(300);
    const dump = writeDump(dir, "tokens.csv", rows);
    const args = ["migrate", dump, "--mapping", writeMapping(dir), "--ledger", join(dir, "l.db")];
    const command = [process.execPath, repoFile("bin/authlete-migrate.js"), ...args, "--rate", "2000"]
      .map(quote)
      .join(" ");
    // script(1) gives the CLI a pseudo-terminal, so stderr.isTTY is true as for a person at a shell.
    const child = spawn(script, ["-qefc", command, "/dev/null"], {
      env: { ...process.env, ...authleteEnv(emulator), COLUMNS: "160" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let screen = "";
    child.stdout.on("data", (d: Buffer) => (screen += d.toString()));
    const [code] = (await once(child, "close")) as [number];
    assert.equal(code, 0, screen);
    assert.ok(screen.includes("\u001b[?25l"), "the bar hides the cursor: it drew on a terminal");
    assert.match(
      screen,
      /100% \| 300\/300 rows done \| ETA 0s \| read=300 created=300 skipped=0 rejected=0 failed=0/,
    );
    // The calls on the wire, never the queue: at most the default concurrency of 16.
    const inFlight = [...screen.matchAll(/in-flight=(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(inFlight.length > 0 && Math.max(...inFlight) <= 16, `in-flight ${Math.max(...inFlight)}`);
    assert.match(screen, /created\s+300/, "the summary follows the bar");
    const leaked = rows.flatMap((r) => [r.token, r.refresh_token]).filter((v) => v && screen.includes(v));
    assert.deepEqual(leaked, []);
  },
);
