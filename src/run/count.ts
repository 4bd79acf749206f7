import type { Tally } from "../report/index.js";
import type { Admission, Fate } from "../settle/index.js";

/** Feeds the tally from a token's fate (a token gone from the sources has no admission: no row). */
export function countFate(tally: Tally, fate: Fate, admission?: Admission): void {
  const at = admission?.at;
  if (at) {
    tally.mapped(at.result, admission.mapped);
    if (fate.sent && at.bucket !== undefined) tally.lifetime(at.bucket);
    if (fate.sent?.notCarried) tally.notCarriedRow(fate.sent.notCarried, at);
  }
  if (fate.retryable) tally.retryable++;
  tally.settle(
    fate.state,
    fate.reason,
    at && (fate.detail === undefined ? at : { ...at, detail: fate.detail }),
  );
}
