import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SequenceJob, SequenceResult } from './sequence-runner';

const here = dirname(fileURLToPath(import.meta.url));
const TSX = join(here, '../../../../node_modules/.bin/tsx');

/** Runs jobs in a child process inside a network namespace and returns their results. */
export function runSequenceInNetns(netns: string, jobs: SequenceJob[]): SequenceResult[] {
  const out = execFileSync('ip', ['netns', 'exec', netns, TSX, join(here, 'sequence-runner.ts'), JSON.stringify(jobs)], {
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as SequenceResult[];
}

/** The absolute module path of a file beside the caller, for SequenceJob.module. */
export function modulePath(fromUrl: string, relative: string): string {
  return join(dirname(fileURLToPath(fromUrl)), relative);
}
