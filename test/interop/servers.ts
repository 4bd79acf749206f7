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

/**
 * A browser's part of the authorization code flow: follows redirects by hand from `url`, keeping the
 * server's cookies, until one goes to `redirectUri`; its code. `visit` may amend each next URL (the suite
 * plays the user at a login page). Fails loudly on any other answer or after `hops`.
 */
export async function codeFromRedirects(
  url: string,
  redirectUri: string,
  visit: (next: URL) => void = () => {},
  hops = 6,
): Promise<string> {
  const cookies = new Map<string, string>();
  for (let hop = 0; hop < hops; hop++) {
    const response = await fetch(url, {
      redirect: "manual",
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";")[0]!;
      const at = pair.indexOf("=");
      const value = pair.slice(at + 1).replace(/^"|"$/g, "");
      if (value) cookies.set(pair.slice(0, at), value);
      else cookies.delete(pair.slice(0, at));
    }
    const location = response.headers.get("location");
    if (!location)
      throw new Error(`${new URL(url).pathname} answered ${response.status}: ${await response.text()}`);
    const next = new URL(location, url);
    if (next.href.startsWith(redirectUri)) {
      const code = next.searchParams.get("code");
      if (!code) throw new Error(`redirected to the client without a code: ${next.search}`);
      return code;
    }
    visit(next);
    url = next.href;
  }
  throw new Error(`the authorization flow did not reach ${redirectUri} in ${hops} hops`);
}

/** The authorization code flow from `start` to the token endpoint's answer (`token` posts the form). */
export async function authorizationCodeFlow<T>(
  start: string,
  redirectUri: string,
  token: (form: Record<string, string>) => Promise<T>,
  visit?: (next: URL) => void,
): Promise<T> {
  const code = await codeFromRedirects(start, redirectUri, visit);
  return token({ grant_type: "authorization_code", code, redirect_uri: redirectUri });
}

/** The password grant's form for a seeded user of the interop servers (each user's password is `<user>-password`). */
export const passwordGrant = (user: string, scope: string) => ({
  grant_type: "password",
  username: user,
  password: `${user}-password`,
  scope,
});
