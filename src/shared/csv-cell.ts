/** A spreadsheet would run a cell starting with one of these as a formula (CSV injection). */
const formulaStart = /^[=+\-@\t\r]/;

/** A cell written for people who open it in a spreadsheet: a would-be formula is made text (`'=…`). */
export const guardedCell = (text: string): string => (formulaStart.test(text) ? `'${text}` : text);

/** The value behind a guarded cell: the `'` that guard added is taken off when read back. */
export const unguardedCell = (text: string): string =>
  text.startsWith("'") && formulaStart.test(text.slice(1)) ? text.slice(1) : text;
