import { lstat, readFile, readdir } from 'node:fs/promises';
import { execa } from 'execa';
import type { HostFacts } from './facts';
import { secretInArgv } from './executor/redactor';
import { resolveUnderRoot } from './resolve-under-root';
import { StepFailure } from './run-types';
import type { Secret } from './secret';
import type { HostReader, ProbeResult } from './step';

/** Longest a read-only probe may run before it is killed. */
const PROBE_TIMEOUT_MS = 30_000;

export interface LocalHostOptions {
  /** Called with every probe's argv before it starts. */
  spawnObserver?: (argv: readonly string[]) => void;
  /** Killing a probe early when the step is cancelled. */
  signal?: AbortSignal;
  /** The run's secrets: a probe whose argv holds one of their values is refused, not run. */
  secrets?: readonly Secret[];
}

/**
 * The real HostReader: reads files and folders under `root` ("/" on a real host) and runs
 * read-only probe commands on this machine (no shell, bounded in time).
 */
export function localHost(root: string, facts: HostFacts, options: LocalHostOptions = {}): HostReader {
  const under = (path: string): string => resolveUnderRoot(root, path);
  return {
    root,
    facts,
    async readFile(path) {
      try {
        return await readFile(under(path), 'utf8');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async exists(path) {
      try {
        await lstat(under(path));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async listDir(path) {
      try {
        return (await readdir(under(path))).sort();
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },
    probe: (argv, stdin) => probe(argv, stdin, options),
  };
}

async function probe(
  argv: readonly string[],
  stdin: string | Secret | undefined,
  options: LocalHostOptions,
): Promise<ProbeResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('probe needs a command: argv is empty');
  if (secretInArgv(argv, options.secrets ?? [])) {
    throw new StepFailure('INTERNAL', `refusing to run probe ${file}: a secret value appears in its arguments (pass it on stdin)`);
  }
  options.spawnObserver?.(argv);
  const result = await execa(file, args, {
    reject: false,
    timeout: PROBE_TIMEOUT_MS,
    cancelSignal: options.signal,
    ...(stdin === undefined ? { stdin: 'ignore' as const } : { input: typeof stdin === 'string' ? stdin : stdin.reveal() }),
  });
  if (result.exitCode === undefined) {
    const why = result.timedOut ? `timed out after ${PROBE_TIMEOUT_MS / 1000}s` : result.shortMessage;
    return { exitCode: -1, stdout: result.stdout, stderr: `${file}: ${why}` };
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
