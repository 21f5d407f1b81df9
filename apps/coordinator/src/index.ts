// Public surface of @kumi/coordinator for other workspace packages and integration tests.
export { createProgram } from './cli/program';
export { runCli } from './cli/run-cli';
export { CliError, usageError } from './cli/cli-error';
export { ExitCode, EXIT_CODES_HELP } from './cli/exit-codes';
export { formatDuration, parseDuration } from './cli/duration';
export { openControlClient, controlCallError } from './client/control-client';
export { runStepViaControl, type RunStepResult } from './client/run-step-client';
export { createFileLogger, REDACT_PATHS, type Logger } from './logging/logger';
export { startCoordinator, type RunningCoordinator, type StartCoordinatorOptions } from './server/coordinator-server';
export { AgentRegistry, type AgentSession } from './server/agent-registry';
export { RunBroker, TERMINAL_KINDS, type RunHandle, type RunListener } from './server/run-broker';
export { parseListenAddress, type ListenAddress } from './server/listen-address';
export { initCluster, type InitClusterOptions } from './state/cluster-init';
export { openClusterState, readServingMaterial, type ClusterState, type ServingMaterial } from './state/cluster-state';
export { type ClusterConfig, DEFAULT_PORT } from './state/cluster-config';
export { existingClusterDir, newClusterDir, statePaths, type ClusterSelection, type StatePaths } from './state/state-paths';
export { TokenStore, type CreatedToken, type TokenRecord } from './state/token-store';
export { HostRegistry, type EnrolledHost } from './state/host-registry';
