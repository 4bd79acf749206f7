import { ledgerOption } from "../paths.js";
import { describeCutover } from "../../report/index.js";
import { withExistingLedger } from "../connection.js";
import { command } from "../command.js";

/** `authlete-migrate cutover`: records the moment traffic moves to Authlete. */
export const cutoverCommand = command(
  "cutover",
  "Record that traffic now goes to Authlete: from then on nothing an earlier run may have sent is sent again",
  (y) =>
    y
      .option("ledger", ledgerOption)
      .option("force", {
        type: "boolean",
        default: false,
        describe: "Record it although entries are pending or failed (they are then never sent again)",
      })
      .option("json", { type: "boolean", default: false }),
  (argv) =>
    withExistingLedger(argv.ledger, async (ledger) => {
      const record = ledger.recordCutover({ force: argv.force, at: Date.now() });
      process.stdout.write(argv.json ? `${JSON.stringify(record)}\n` : `${describeCutover(record)}\n`);
      return { exitCode: 0 };
    }),
);
