import { printable } from "../../shared/text.js";
import { connectionOptions, connectionSettings } from "../connection.js";
import { command } from "../command.js";

/** `authlete-migrate init <dump>`: a first mapping and a clients.csv template from a dump. */
export const initCommand = command(
  "init <dump>",
  "Propose a mapping for a dump (a preset it recognises, or columns by name) and a clients.csv template",
  (y) =>
    connectionOptions(y)
      .positional("dump", { type: "string", demandOption: true })
      .option("preset", { type: "string", default: "auto", describe: "auto, none, or a preset's name" })
      .option("out", { type: "string", default: "mapping.json", describe: "Where to write the mapping" })
      .option("format", { choices: ["csv", "json", "ndjson"] as const }),
  async (argv) => {
    // Loaded for this command only: every other command starts without it.
    const { initMapping } = await import("../../init/index.js");
    const result = await initMapping({
      dump: argv.dump,
      read: { format: argv.format },
      preset: argv.preset,
      out: argv.out,
      // Connected only when told where Authlete is: then its clients are listed to fill the template.
      connection:
        (argv["base-url"] ?? process.env.AUTHLETE_BASE_URL) ? connectionSettings(argv, 2) : undefined,
    });
    const clients = result.serviceClients;
    const lines = [
      result.preset
        ? `Recognised the ${result.preset} preset: ${result.mappingFile} extends it.`
        : `No preset matches; columns proposed by name in ${result.mappingFile}.`,
      "Columns (and what the times look like):",
      ...result.columns.map((c) => `  ${c.column} ← ${printable(c.path, 80)}${c.kind ? ` (${c.kind})` : ""}`),
      ...(result.ignored.length
        ? [`Ignored on purpose ("ignore"): ${result.ignored.map((c) => printable(c, 80)).join(", ")}`]
        : []),
      ...(result.undecided.length
        ? [`Not accounted for yet: ${result.undecided.map((c) => printable(c, 80)).join(", ")}`]
        : []),
      `${result.clientsFile}: ${result.legacyClients.length} legacy client ID(s) over ${result.rows} row(s):`,
      ...result.legacyClients.slice(0, 20).map(([id, n]) => `  ${printable(id, 80)}  ${n} row(s)`),
      ...(result.legacyClients.length > 20
        ? [`  … ${result.legacyClients.length - 20} more in the file`]
        : []),
      ...(clients === undefined
        ? []
        : "error" in clients
          ? [`The service's clients could not be read: ${clients.error}`]
          : [
              `The service's clients (${clients.length}), for ${result.clientsFile}:`,
              ...clients.map(
                (c) =>
                  `  ${c.clientId}${c.clientIdAlias ? ` (${printable(c.clientIdAlias, 60)})` : ""}${c.clientName ? ` ${printable(c.clientName, 60)}` : ""}: ${printable(c.grantTypes.join(", "), 200)}`,
              ),
            ]),
      "Left to decide:",
      ...result.toDecide.map((d) => `  - ${d}`),
      result.invalid
        ? `The mapping does not load yet: ${result.invalid}`
        : `Next: fill ${result.clientsFile}, then: authlete-migrate migrate ${argv.dump} --mapping ${result.mappingFile} --dry-run`,
    ];
    // File names, the dump's client IDs and columns come from outside: escaped, line by line.
    process.stdout.write(`${lines.map((line) => printable(line, 4000)).join("\n")}\n`);
    return { exitCode: result.invalid ? 1 : 0 };
  },
);
