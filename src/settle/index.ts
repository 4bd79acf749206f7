// A token's fate, in one place: checked, admitted, carried out at Authlete, recorded (see settle.ts).
export { admit, admittedRow, carryOut, knownFate, planned, settle } from "./settle.js";
export { rowCheck } from "./row-check.js";
export { revokeMigrated, type RevokedToken } from "./revocation.js";
export type { Admission, Admitted, Fate, SettleContext } from "./types.js";
