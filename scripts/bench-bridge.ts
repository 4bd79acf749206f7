// npm run bench (the bridge): pass-through throughput and latency against the emulator called directly in the
// same run, and floods of unknown tokens showing what reaches the legacy server. autocannon on loopback, bounded.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { generatedMapping } from "./lib/generated-mapping.js";
import { legacyClient, startLegacyStandIn, type LegacyToken } from "./lib/legacy-stand-in.js";
import { median } from "./lib/live-runs.js";
import { allCpus, cpuSeconds, pin } from "./lib/processes.js";
import { cliPath, emulatorEnv, spawnEmulator } from "./lib/spawn-emulator.js";

const out = fileURLToPath(new URL("../../bench-out/", import.meta.url));
const seconds = Number(process.env.BENCH_BRIDGE_SECONDS ?? 5);
const connections = Number(process.env.BENCH_BRIDGE_CONNECTIONS ?? 16);
const legacyRate = 50;
mkdirSync(out, { recursive: true });
const mapping = join(out, "bridge-mapping.json");
writeFileSync(mapping, JSON.stringify(generatedMapping));
const ledger = join(out, "bridge.db");
for (const suffix of ["", "-wal", "-shm"]) rmSync(ledger + suffix, { force: true });

/** Waits until a count stops moving for a second (at most 30 s), and returns it. */
async function settled(count: () => number): Promise<number> {
  for (let i = 0, last = -1; i < 30 && count() !== last; i++) {
    last = count();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return count();
}

const known = `bench-live-${randomBytes(16).toString("hex")}`;
const tokens = new Map<string, LegacyToken>([
  [
    known,
    {
      active: true,
      client_id: "web",
      sub: "bench",
      scope: "openid",
      exp: Math.floor(Date.now() / 1000) + 3600,
    },
  ],
]);
const legacy = await startLegacyStandIn(tokens);
const emulator = await spawnEmulator();
const bridge = spawn(
  process.execPath,
  [
    // BENCH_BRIDGE_PROF=dir: the bridge's CPU profile, written there when it stops.
    ...(process.env.BENCH_BRIDGE_PROF
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_BRIDGE_PROF}`]
      : []),
    cliPath,
    "bridge",
    "--mapping",
    mapping,
    "--ledger",
    ledger,
    "--legacy-introspection",
    legacy.introspectionUrl,
    "--legacy-client-id",
    legacyClient.id,
    "--legacy-rate",
    String(legacyRate),
    "--listen",
    "127.0.0.1:0",
  ],
  {
    env: { ...emulatorEnv(emulator), LEGACY_CLIENT_SECRET: legacyClient.secret },
    stdio: ["ignore", "ignore", "pipe"],
  },
);
let stderr = "";
bridge.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
const port = await new Promise<string>((resolve, reject) => {
  bridge.stderr!.on("data", () => {
    const match = /listening on [^:]+:(\d+)/.exec(stderr);
    if (match) resolve(match[1]!);
  });
  bridge.once("exit", (code) => reject(new Error(`the bridge exited (${code}): ${stderr}`)));
});
const path = `/api/${emulator.serviceId}/auth/introspection`;
const headers = { authorization: `Bearer ${emulator.bearer}`, "content-type": "application/json" };
const target = (base: string, body: string) =>
  autocannon({ url: base + path, method: "POST", headers, body, connections, duration: seconds });

/** Introspections through the bridge for `seconds`, each of the token `next()` gives. */
const flood = (next: () => string) =>
  autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: "POST",
    headers,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ token: next() }) }) }],
  });

try {
  // The first use creates it at Authlete; from then on every call is a plain pass-through.
  const first = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify({ token: known }),
  });
  const action = ((await first.json()) as { action: string }).action;
  if (action !== "OK") throw new Error(`the lazy creation did not happen (${action})`);
  const body = JSON.stringify({ token: known });
  const bridgedUrl = `http://127.0.0.1:${port}`;
  /** One load run, with what each process spent on it: CPU microseconds per call. */
  const leg = async (base: string) => {
    const pids = [emulator.child.pid!, bridge.pid!];
    const before = pids.map((pid) => cpuSeconds(pid) ?? NaN);
    const self = process.cpuUsage();
    const started = performance.now();
    const result = await target(base, body);
    const wall = (performance.now() - started) / 1000;
    const calls = result.requests.total;
    const [emulatorCpu, bridgeCpu] = pids.map((pid, i) => (cpuSeconds(pid) ?? NaN) - before[i]!);
    const load = process.cpuUsage(self);
    const us = (cpu: number) => Math.round((cpu / calls) * 1e6);
    return {
      perSecond: calls / wall,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      cpuUsPerCall: {
        emulator: us(emulatorCpu!),
        bridge: us(bridgeCpu!),
        loadGenerator: us((load.user + load.system) / 1e6),
      },
    };
  };
  type Leg = Awaited<ReturnType<typeof leg>>;
  // Two shapes. Shared: load generator, emulator and bridge on the same 2 cores — the bridge's hop takes CPU
  // from the emulator it waits on. Own core: load generator and emulator on CPU 0, the bridge on CPU 1, as
  // it is deployed (Authlete's API is a service elsewhere, the bridge runs on its own host).
  const shapes = {
    shared: () => pin([process.pid, emulator.child.pid!, bridge.pid!], allCpus()),
    ownCore: () => pin([process.pid, emulator.child.pid!], "0") && pin([bridge.pid!], "1"),
  };
  const pairs: Record<keyof typeof shapes, { direct: Leg; bridged: Leg }[]> = { shared: [], ownCore: [] };
  // Alternating pairs: a machine that slows down mid-bench slows both sides alike.
  for (let i = 0; i < 3; i++)
    for (const shape of Object.keys(shapes) as (keyof typeof shapes)[]) {
      if (!shapes[shape]()) continue;
      pairs[shape].push({ direct: await leg(emulator.baseUrl), bridged: await leg(bridgedUrl) });
    }
  shapes.shared();
  for (const [shape, runs] of Object.entries(pairs)) {
    if (runs.length === 0) {
      console.log(
        JSON.stringify({ what: `bridge pass-through, ${shape}`, skipped: "taskset could not pin" }),
      );
      continue;
    }
    const of = (side: "direct" | "bridged", pick: (l: Leg) => number) =>
      median(runs.map((r) => pick(r[side])));
    const ratios = runs.map((r) => r.bridged.perSecond / r.direct.perSecond);
    const bridgeUs = of("bridged", (l) => l.cpuUsPerCall.bridge);
    console.log(
      JSON.stringify({
        what: `bridge pass-through vs the emulator called directly, ${shape === "shared" ? "all processes on the same cores" : "the bridge on a core of its own"} (introspection of a known token, ${connections} connections, ${seconds} s, ${runs.length} alternating pairs)`,
        directPerSecond: Math.round(of("direct", (l) => l.perSecond)),
        bridgedPerSecond: Math.round(of("bridged", (l) => l.perSecond)),
        ratio: { median: +median(ratios).toFixed(2), min: +Math.min(...ratios).toFixed(2) },
        addedMs: {
          p50: of("bridged", (l) => l.p50) - of("direct", (l) => l.p50),
          p99: of("bridged", (l) => l.p99) - of("direct", (l) => l.p99),
        },
        cpuUsPerCall: {
          emulatorDirect: of("direct", (l) => l.cpuUsPerCall.emulator),
          emulatorBridged: of("bridged", (l) => l.cpuUsPerCall.emulator),
          bridge: bridgeUs,
          loadGenerator: of("bridged", (l) => l.cpuUsPerCall.loadGenerator),
        },
        // What one core of the bridge can pass on, from its own measured CPU per call.
        bridgeCallsPerCore: `1e6 / ${bridgeUs} µs = ${Math.round(1e6 / bridgeUs)}/s`,
        errors: runs.reduce((n, r) => n + r.direct.errors + r.bridged.errors, 0),
        target: ">= 0.8",
      }),
    );
  }

  // A flood of tokens nobody ever issued: each is a first look, paced to --legacy-rate.
  const before = legacy.asked.introspections;
  const random = await flood(() => randomBytes(24).toString("base64url"));
  // Lookups still waiting for their turn when the flood ended run on: counted here, not in the next flood.
  await settled(() => legacy.asked.introspections);
  const randomCalls = legacy.asked.introspections - before;
  // The same few dead tokens again and again: asked once each, then the negative cache answers.
  const dead = Array.from({ length: 20 }, (_, i) => `bench-dead-${i}-${randomBytes(8).toString("hex")}`);
  let next = 0;
  const beforeDead = legacy.asked.introspections;
  const repeated = await flood(() => dead[next++ % dead.length]!);
  console.log(
    JSON.stringify({
      what: `floods of unknown tokens through the bridge (--legacy-rate ${legacyRate}, ${seconds} s each)`,
      random: {
        requests: random.requests.total,
        legacyCalls: randomCalls,
        bound: legacyRate * seconds + connections,
      },
      repeatedDead: {
        requests: repeated.requests.total,
        legacyCalls: legacy.asked.introspections - beforeDead,
        distinct: dead.length,
      },
      target:
        "random: legacy calls <= rate x seconds (+ one burst); repeated: one legacy call per distinct token",
    }),
  );
} finally {
  bridge.kill("SIGTERM");
  await once(bridge, "exit");
  await emulator.stop();
  await legacy.stop();
}
