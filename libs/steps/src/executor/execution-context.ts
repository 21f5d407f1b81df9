import type { Secret } from '../secret';
import type { Redactor } from './redactor';

/** What every action runner of one step run shares. */
export interface ExecutionContext {
  root: string;
  /** Every secret of the run, to refuse them in argv and redact them from output. */
  secrets: readonly Secret[];
  redact: Redactor;
  signal?: AbortSignal;
  spawnObserver?: (argv: readonly string[]) => void;
  /** Reports one line of command output; it must already be redacted or is redacted here. */
  output(stream: 'stdout' | 'stderr', line: string): void;
  progress(text: string): void;
}
