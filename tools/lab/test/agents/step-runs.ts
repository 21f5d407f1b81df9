import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LabCluster } from '../../src/cluster';

/** A step's progress event as `kumi run --json` prints it (the fields the test reads). */
export interface RunEvent {
  seq: number;
  host: string;
  step: string;
  kind: string;
  text: string;
  outputs?: Record<string, unknown>;
  error?: { code: string; message: string; stderrTail?: string; command?: string };
}

/** A step's own progress kinds (the run's and stages' events are left out). */
const STEP_KINDS = new Set(['START', 'OUTPUT', 'PROGRESS', 'NOOP', 'PLANNED', 'DONE', 'FAILED', 'SKIPPED']);

/** One `kumi run` of a step through a real agent. */
export interface StepRun {
  host: string;
  step: string;
  /** Last event kind without the prefix: DONE, NOOP, FAILED, or NONE when the stream ended early. */
  kind: string;
  outputs: Record<string, unknown>;
  events: RunEvent[];
  exitCode: number;
  ms: number;
  /** Everything kumi printed (for the leak scan). */
  printed: string;
}

/** Secret files for `kumi run --secret-file`: 0600 in a 0700 folder, removed by `remove()`. */
export class SecretFiles {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'kumi-agents-secrets-'));
  #count = 0;

  /** Writes a secret to a new 0600 file and returns `NAME=PATH` for --secret-file. */
  arg(name: string, value: string): string {
    const file = path.join(this.dir, `${name}-${(this.#count += 1)}`);
    writeFileSync(file, value, { mode: 0o600 });
    chmodSync(file, 0o600);
    return `${name}=${file}`;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `kumi run STEP --host H --params-json ... --json` and parses its NDJSON progress events. */
export async function runStep(
  cluster: LabCluster,
  host: string,
  step: string,
  params: Record<string, unknown>,
  secretArgs: string[] = [],
  timeoutMs = 120_000,
): Promise<StepRun> {
  const args = ['run', step, '--host', host, '--params-json', JSON.stringify(params), '--json', ...secretArgs.flatMap((s) => ['--secret-file', s])];
  const result = await cluster.kumi(args, { timeoutMs });
  const events = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RunEvent)
    .filter((event) => STEP_KINDS.has(event.kind));
  const last = events.at(-1);
  const kind = last && /^(DONE|NOOP|FAILED)$/.test(last.kind) ? last.kind : 'NONE';
  const outputs = last?.outputs ?? {};
  return { host, step, kind, outputs, events, exitCode: result.exitCode, ms: result.ms, printed: `${result.stdout}\n${result.stderr}` };
}

/** A readable account of a run for assertion messages: its last events and the error, never secrets (events are redacted). */
export function describeRun(run: StepRun): string {
  const tail = run.events.slice(-12).map((e) => `  ${e.kind} ${e.text}`.trimEnd());
  const last = run.events.at(-1);
  const error = last?.error ? [`  error: ${last.error.code} ${last.error.message}`, `  stderr: ${last.error.stderrTail}`] : [];
  return [`${run.step}@${run.host} ended ${run.kind} (exit ${run.exitCode}, ${run.ms} ms)`, ...tail, ...error, ...(run.events.length === 0 ? [run.printed.slice(-1500)] : [])].join('\n');
}
