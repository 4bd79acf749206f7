/** What a command hands back to main: the exit code and an optional message for stderr. */
export interface CommandResult {
  exitCode: number;
  stderr?: string;
}
