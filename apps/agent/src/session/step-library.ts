// The `steps` part (see runtime/agent-parts.ts): the step catalogue and its executor. In
// the single executable this file is bundled on its own into an asset; elsewhere it is
// imported on the first step request.
export * from '@kumi/steps';
export { redactorFor, runStep } from '@kumi/steps/executor';
