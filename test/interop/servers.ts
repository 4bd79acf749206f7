import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Waits until 127.0.0.1:port accepts connections; fails loudly, naming the server, after `timeoutMs`. */
export async function waitForPort(port: number, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what} on 127.0.0.1:${port}`);
    await sleep(100);
  }
}

/** Stops a server process and waits for it to exit (SIGKILL if it has not within 10 s). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A form POST to a legacy server's endpoint with client credentials (HTTP Basic) that fails loudly on any
 * answer but 2xx; redirects are errors. The answer's text.
 */
export function formPoster(server: string, basic: (app: string) => string) {
  return async (url: string, app: string, form: Record<string, string>): Promise<string> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: basic(app), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
      redirect: "error",
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${server} ${new URL(url).pathname} answered ${response.status}: ${text}`);
    return text;
  };
}
