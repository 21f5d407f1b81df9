import type { StepEvent__Output } from '@kumi/proto';

/** "EVENT_KIND_DONE" → "DONE". */
export function shortKind(kind: string): string {
  return kind.replace(/^EVENT_KIND_/, '');
}

function clock(ms: number): string {
  return new Date(ms || Date.now()).toISOString().slice(11, 23);
}

/**
 * One event as plain text lines: "time host step KIND text", then the planned actions
 * of a dry run, and for FAILED the typed error (code, message, exit code, stderr tail).
 */
export function eventLines(event: StepEvent__Output): string {
  const kind = shortKind(event.kind);
  const stream = event.kind === 'EVENT_KIND_OUTPUT' && event.stream === 'OUTPUT_STREAM_STDERR' ? ' (stderr)' : '';
  const lines = [`${clock(event.timeUnixMs)} ${event.host} ${event.step} ${kind}${stream} ${event.text}`.trimEnd()];
  for (const action of event.planned) lines.push(`    plan: ${action}`);
  if (event.kind === 'EVENT_KIND_FAILED' && event.error) {
    const error = event.error;
    lines.push(`    error:     ${error.code.replace(/^ERROR_CODE_/, '')}: ${error.message}`);
    if (error.command) lines.push(`    command:   ${error.command}`);
    if (error.code === 'ERROR_CODE_COMMAND_FAILED' || error.exitCode !== 0) lines.push(`    exit code: ${error.exitCode}`);
    if (error.stderrTail) {
      lines.push('    stderr:');
      for (const line of error.stderrTail.split('\n')) lines.push(`      ${line}`);
    }
  }
  if ((event.kind === 'EVENT_KIND_DONE' || event.kind === 'EVENT_KIND_NOOP') && event.outputsJson && event.outputsJson !== '{}') {
    lines.push(`    outputs: ${event.outputsJson}`);
  }
  return `${lines.join('\n')}\n`;
}
