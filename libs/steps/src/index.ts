export type { HostFacts, NetInterface, OsFamily } from './facts';
export type { Action, Plan, RemoveAction, RunAction, WriteAction } from './plan';
export { describeAction, noop, planOf } from './plan';
export { Secret, redact } from './secret';
export type { AnyStep, HostReader, ProbeResult, SecretBag, Step } from './step';
export type { WaitAction, WaitCondition } from './plan';
export type { RunStepOptions, StepErrorCode, StepOutcome, StepProgress } from './run-types';
export { StepFailure } from './run-types';
