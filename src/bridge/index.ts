// The lazy bridge: a service in front of Authlete that migrates on first use the tokens a dump cannot carry.
export { runBridge, type BridgeConfig, type BridgeSummary } from "./bridge.js";
export { listenAddress, type ListenAddress } from "./listen.js";
