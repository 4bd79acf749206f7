import { redact } from "../shared/outside.js";

/**
 * The output seam: whatever any command writes to stdout or stderr passes here, and every credential
 * this process holds (the bearer, a legacy client's secret and its Basic pair, registered as they are
 * read) is replaced in any of its forms. Callers still clean their own text from outside
 * (`fromOutside`); this is what a new command cannot forget.
 */
export function guardOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === "string" ? redact(chunk) : chunk, ...rest)) as typeof stream.write;
  }
}
