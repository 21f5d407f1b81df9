export { localHost } from '../host-reader';
export type { LocalHostOptions } from '../host-reader';
export { runStep } from './run-step';
export { redactorFor, type Redactor } from './redactor';
