/** The latest instant this tool holds (epoch ms): a later expiry, cutover or `exp` is no time but a fault. */
export const latestInstantMs = Date.UTC(3000, 0, 1);

/** A count as a file or a server may give it: a whole number, 0 or more (not −5, 1e18 or text). */
export const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** An instant in epoch ms between 1970 and `latestInstantMs`. */
export const isInstantMs = (n: unknown): n is number => isCount(n) && n <= latestInstantMs;
