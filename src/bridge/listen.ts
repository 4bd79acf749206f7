import { isIP } from "node:net";
import { MigrateError } from "../shared/errors.js";

/** Where the bridge listens. */
export interface ListenAddress {
  host: string;
  port: number;
}

const loopback = (host: string) => host === "localhost" || host === "::1" || /^127\./.test(host);

/**
 * `--listen host:port` read and checked: a bridge carries bearer tokens and token values, so it listens on
 * loopback unless the address it names is served over TLS or the insecure choice is made explicitly.
 */
export function listenAddress(value: string, secured: { tls: boolean; insecure: boolean }): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535 || (host !== "localhost" && isIP(host) === 0))
    throw new MigrateError(
      "usage",
      `--listen ${JSON.stringify(value)}: give an IP address and a port (127.0.0.1:8080)`,
      {
        option: "listen",
      },
    );
  if (!loopback(host) && !secured.tls && !secured.insecure)
    throw new MigrateError(
      "usage",
      `--listen ${host}: not a loopback address, and the bridge carries bearer tokens and token values: give --tls-cert and --tls-key, or --insecure-listen to accept plain HTTP on purpose`,
      { option: "listen" },
    );
  return { host, port };
}
