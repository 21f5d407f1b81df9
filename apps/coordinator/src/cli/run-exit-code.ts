import type { RunReport } from '../plan';
import { ExitCode, type ExitCodeValue } from './exit-codes';

/** How bad a run's result is, best to worst; a run exits with the worst code of its failures. */
const SEVERITY: readonly ExitCodeValue[] = [ExitCode.OK, ExitCode.UNAVAILABLE, ExitCode.FAILURE, ExitCode.INTERRUPTED];

/**
 * The exit code of a scheduler run (every workflow, `kumi run` too): 0 when every entry
 * ended done, noop or planned; else the worst of: a host not attached (4), a step or check
 * failed (1), interrupted (130).
 */
export function runExitCode(report: RunReport): ExitCodeValue {
  let worst: ExitCodeValue = ExitCode.OK;
  const raise = (code: ExitCodeValue) => {
    if (SEVERITY.indexOf(code) > SEVERITY.indexOf(worst)) worst = code;
  };
  if (report.cancelled) raise(ExitCode.INTERRUPTED);
  for (const failure of report.failures) {
    if (failure.kind === 'cancelled' || (failure.kind === 'step' && failure.error.code === 'CANCELLED')) raise(ExitCode.INTERRUPTED);
    else if ((failure.kind === 'step' && failure.error.code === 'NOT_ATTACHED') || (failure.kind === 'readiness' && failure.readiness === 'agents-attached')) raise(ExitCode.UNAVAILABLE);
    else raise(ExitCode.FAILURE);
  }
  return worst;
}
