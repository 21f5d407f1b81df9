/**
 * Test helper, run as a child process (e.g. inside a network namespace with
 * `ip netns exec NS tsx sequence-runner.ts JOBS_JSON`): runs commands and steps in order
 * and prints one JSON array with each job's result. Never used by the agent.
 */
import { execFileSync } from 'node:child_process';
import { runStep } from '../executor';
import type { RunStepOptions } from '../run-types';
import type { AnyStep } from '../step';

/** One job: a command (stdout captured) or a step run through the real executor. */
export type SequenceJob =
  | { kind: 'cmd'; argv: string[] }
  | { kind: 'step'; module: string; exportName: string; options: Omit<RunStepOptions, 'secrets' | 'spawnObserver'> };

/** What a job gave. */
export type SequenceResult =
  | { kind: 'cmd'; stdout: string }
  | { kind: 'step'; outcome?: unknown; error?: { code: string; message: string }; spawned: string[][] };

async function main(): Promise<void> {
  const jobs = JSON.parse(process.argv[2] ?? '[]') as SequenceJob[];
  const results: SequenceResult[] = [];
  for (const job of jobs) {
    if (job.kind === 'cmd') {
      results.push({ kind: 'cmd', stdout: execFileSync(job.argv[0] ?? '', job.argv.slice(1), { encoding: 'utf8' }) });
      continue;
    }
    const step = ((await import(job.module)) as Record<string, AnyStep>)[job.exportName];
    if (step === undefined) throw new Error(`${job.module} has no export ${job.exportName}`);
    const spawned: string[][] = [];
    try {
      const outcome = await runStep(step, { ...job.options, secrets: {}, spawnObserver: (argv) => spawned.push([...argv]) });
      results.push({ kind: 'step', outcome, spawned });
    } catch (error) {
      const failure = error as { code?: string; message: string };
      results.push({ kind: 'step', error: { code: failure.code ?? 'UNKNOWN', message: failure.message }, spawned });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

void main();
