/**
 * What the stack watches, as plain data: the alarms (alarm-specs.ts), the dashboard (dashboard-body.ts) and the
 * metrics both read (metrics.ts). The constructs in src/constructs/inference-*.ts turn them into resources; tools
 * (the cost estimate counts the alarms' metrics) import them from here.
 */
export * from "./alarm-specs";
export * from "./dashboard-body";
export * from "./metrics";
