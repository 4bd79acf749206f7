import { existsSync, writeFileSync } from "node:fs";
import { MigrateError } from "../../shared/errors.js";
import { command } from "../command.js";

/** `authlete-migrate keygen`: a LINE v2.1 assertion signing key pair, as JWK files. */
export const keygenCommand = command(
  "keygen",
  "Write a LINE channel access token v2.1 assertion signing key pair (RSA 2048, RS256) as JWK files",
  (y) =>
    y
      .option("private-key", {
        type: "string",
        default: "assertion-private.jwk.json",
        describe: "Where the private key goes (mode 0600; never overwritten)",
      })
      .option("public-key", {
        type: "string",
        default: "assertion-public.jwk.json",
        describe: "Where the public key goes: register it with LINE, which assigns its kid",
      }),
  async (argv) => {
    for (const file of [argv["private-key"], argv["public-key"]]) {
      if (existsSync(file))
        throw new MigrateError("usage", `${file} exists; keygen never overwrites a key`, { file });
    }
    // Loaded for this command only: every other command starts without it.
    const { generateAssertionKeyPair } = await import("../../line/index.js");
    const { publicJwk, privateJwk } = await generateAssertionKeyPair();
    // Create-only: overwriting a private key whose public half LINE holds would lose the channel's key.
    for (const [file, jwk, mode] of [
      [argv["private-key"], privateJwk, 0o600],
      [argv["public-key"], publicJwk, 0o644],
    ] as const) {
      try {
        writeFileSync(file, `${JSON.stringify(jwk, null, 2)}\n`, { mode, flag: "wx" });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new MigrateError(
          "usage",
          code === "EEXIST" ? `${file} exists; keygen never overwrites a key` : `${file}: ${code}`,
          { file },
        );
      }
    }
    process.stdout.write(
      `${JSON.stringify(publicJwk)}\n` +
        `Wrote ${argv["private-key"]} (keep it secret) and ${argv["public-key"]}.\n` +
        "Register the public key with LINE (Developers Console: the channel's Basic settings, " +
        "Assertion Signing Key, Register a public key) and put the kid it shows in the mapping's " +
        "validKeyIds.line.channels.<channel ID>.kid.\n",
    );
    return { exitCode: 0 };
  },
);
