/**
 * The local Functions host: runs this app's functions from their registrations as the Azure Functions host
 * would (see README.md). In-process with startLocalHost, or in a child process with spawnHostProcess.
 */
export { startLocalHost, loadFunctionApp, type LocalHost, type LocalHostOptions, type LoadedFunctionApp } from './localHost';
export { spawnHostProcess, indexFunctionApp, type HostProcess, type SpawnHostOptions } from './spawnHost';
export type { HostEvent, HostEventSink, IndexedFunctionSummary } from './hostEvents';
export type { HostLogEntry, HostLogger } from './invoker';
export { parseNcrontab, nextOccurrence, CronSyntaxError, type CronSchedule } from './ncrontab';
export { readHostJson, parseTimeSpan, type HostJson } from './hostJson';
export { findAppRoot, readPackageMain, sourceGlobOf, globFiles } from './appFiles';
