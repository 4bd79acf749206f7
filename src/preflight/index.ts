// Before a run's first row: the service read and checked against what the dump needs, the sources counted.
export { blocksLiveRun, connectService, type PreflightConfig, type ServiceSide } from "./connect.js";
export type { ServiceCheck, ServiceFinding, ServiceRowRules } from "./service-check.js";
export { unknownUsage, type ServiceUsage } from "./service-usage.js";
export { prescan } from "./prescan.js";
