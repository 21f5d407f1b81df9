import { failuresByHost, type RunFailure, type RunReport } from '../plan';
import type { ProgressInput } from '../progress/progress-sink';

/** How to print the command that retries part of a run. */
export interface RetryCommand {
  /** The command that resumes everything, e.g. "kumi up examples/seed-ha.yaml --state-dir /x". */
  resume: string;
  /** The same command narrowed to one plan path, or undefined when it cannot be narrowed. */
  only?(path: string): string;
}

/** Shell-quotes a word when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function retryOf(failure: RunFailure, retry: RetryCommand): string {
  if (failure.kind === 'step' || (failure.kind === 'readiness' && failure.path)) {
    const path = failure.kind === 'step' ? failure.path : (failure.path as string);
    return retry.only ? `${retry.only(path)}   (or resume everything: ${retry.resume})` : retry.resume;
  }
  return retry.resume;
}

function headline(failure: RunFailure): string {
  switch (failure.kind) {
    case 'step':
      return `${failure.path} failed: ${failure.error.code}: ${failure.error.message}`;
    case 'readiness':
      return `${failure.stage}: not ready (${failure.readiness}, waiting for ${failure.waitsFor}): ${failure.message}`;
    case 'cancelled':
      return `interrupted${failure.stage ? ` in stage ${failure.stage}` : ''}: ${failure.message}`;
  }
}

/**
 * One FAILURE progress event per failure, grouped by host (host-less failures last):
 * host, step, error code and message, the failed command and its stderr tail, and the
 * command that retries just that part. `text` is the human summary of each.
 */
export function failureEvents(report: RunReport, retry: RetryCommand): ProgressInput[] {
  const groups = [...failuresByHost(report)].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  return groups.flatMap(([host, failures]) =>
    failures.map((failure): ProgressInput => {
      const command = retryOf(failure, retry);
      const lines = [headline(failure)];
      if (failure.kind === 'step') {
        if (failure.error.command) lines.push(`    command: ${failure.error.command}${failure.error.exitCode ? ` (exit ${failure.error.exitCode})` : ''}`);
        if (failure.error.stderrTail) lines.push('    stderr (last lines):', ...failure.error.stderrTail.trimEnd().split('\n').slice(-10).map((line) => `      ${line}`));
      }
      lines.push(`    retry: ${command}`);
      return {
        kind: 'FAILURE',
        stage: failure.stage ?? '',
        host,
        step: failure.kind === 'step' ? failure.step : '',
        ...(failure.kind === 'step' ? { path: failure.path, error: failure.error } : failure.kind === 'readiness' && failure.path ? { path: failure.path } : {}),
        text: lines.join('\n'),
        retry: command,
      };
    }),
  );
}
