import { writeFileSync } from "node:fs";
import { withValidKeyIds } from "../../rows/index.js";
import { MigrateError } from "../../shared/errors.js";
import { lineBaseUrlOption, loadCommandMapping } from "../mapping.js";
import { command } from "../command.js";

/** `authlete-migrate line-kids`: save LINE's list of valid key IDs, to migrate against one fixed answer. */
export const lineKidsCommand = command(
  "line-kids",
  'Ask LINE for the valid key IDs of the mapping\'s channels (validKeyIds.line) and save them as {"kids": [...]}',
  (y) =>
    y
      .option("mapping", { type: "string", demandOption: true, describe: "Mapping with validKeyIds.line" })
      .option("line-base-url", lineBaseUrlOption)
      .option("out", { type: "string", describe: "File to write (default: stdout)" }),
  async (argv) => {
    const mapping = loadCommandMapping(
      argv.mapping,
      (m) => process.stderr.write(`${m}\n`),
      argv["line-base-url"],
    );
    const query = mapping.validKeyIds?.issuer;
    if (!query)
      throw new MigrateError("usage", `${argv.mapping} has no validKeyIds.line to ask LINE with`, {
        option: "mapping",
      });
    const kids = [...((await withValidKeyIds(mapping)).validKeyIds?.ids ?? [])];
    const text = `${JSON.stringify({ kids }, null, 2)}\n`;
    if (argv.out) writeFileSync(argv.out, text);
    else process.stdout.write(text);
    process.stderr.write(
      `${kids.length} valid key ID(s) for ${query.channels.size} channel(s)` +
        (argv.out ? `, saved in ${argv.out}: use it as validKeyIds.file\n` : "\n"),
    );
    return { exitCode: 0 };
  },
);
