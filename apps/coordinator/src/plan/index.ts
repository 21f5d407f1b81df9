export { buildPlan, upStageOrder, type BuildPlanOptions } from './build';
export { buildResetPlan, type ResetPlanOptions } from './reset-plan';
export { describeConcurrency, formatPlan, type PrintOptions } from './print';
export { SelectionError, parsePatterns, type PathPattern } from './select';
export { PlanParamsError, stepParamSchemas, stepParams } from './step-params';
export * from './types';
export { runPlan, failuresByHost } from './scheduler';
export * from './scheduler-types';
export { readinessThroughRunner, type AgentsAttachedWaiter } from './probe-readiness';
