export { startEmulator, type EmulatorOptions, type RunningEmulator, type WireEvent } from "./server.js";
export { loadSeed, parseSeed } from "./seed.js";
export { noFaults, type EmulatorSeed, type FaultOptions, type StoredToken } from "./types.js";
