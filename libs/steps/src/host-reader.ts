import { lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { execa } from 'execa';
import type { HostFacts } from './facts';
import { secretInArgv } from './executor/redactor';
import { underRoot } from './resolve-under-root';
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
 *
 * Files and folders are read synchronously: a check reads a handful of small /proc, /etc and
 * unit files, and each asynchronous read is four or more hops through libuv's thread pool
 * (open, stat, read, close), each a promise and a wake-up, and a missing path a rejected
 * promise with an Error built for it. On an agent running a fleet's no-op steps that was most
 * of a check's CPU (docs/benchmarks.md, "many hosts"). A missing path is answered from a
 * stat that does not throw (`throwIfNoEntry: false`), so it costs no exception either. The
 * event loop is held for the few microseconds such a read takes.
 */
export function localHost(root: string, facts: HostFacts, options: LocalHostOptions = {}): HostReader {
  const under = underRoot(resolve(root));
  return {
    root,
    facts,
    async readFile(path) {
      return readTextIfPresent(under(path));
    },
    async exists(path) {
      return statIfPresent(under(path), lstatSync) !== undefined;
    },
    async listDir(path) {
      const folder = under(path);
      // readdir of a path that is not a folder fails as before (ENOTDIR is "missing" below).
      if (statIfPresent(folder, statSync) === undefined) return [];
      try {
        return readdirSync(folder).sort();
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },
    probe: (argv, stdin) => probe(argv, stdin, options),
  };
}

/** The device number of /dev/null: a unit masked by a link to it reads as empty. */
const NULL_DEVICE = statIfPresent('/dev/null', statSync)?.rdev;

/**
 * A file's text, or undefined when there is none at `path` (as fs.readFile, without the thread
 * pool). Only regular files (and /dev/null) are read: opening a FIFO or a terminal blocks until
 * another process writes, and a synchronous read would hold the agent's whole event loop.
 */
function readTextIfPresent(path: string): string | undefined {
  const stat = statIfPresent(path, statSync);
  if (stat === undefined) return undefined;
  if (stat.isCharacterDevice() && stat.rdev === NULL_DEVICE) return '';
  // A folder still fails as fs.readFile does (EISDIR).
  if (!stat.isFile() && !stat.isDirectory()) {
    throw new Error(`${path} is ${specialFileKind(stat)}, not a regular file; kumi reads only regular files there. Fix: replace it with the file it should be (or remove it)`);
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // Gone between the stat and the read.
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** stat or lstat of `path`, or undefined when nothing is there (ENOENT, or a file where a folder is named: ENOTDIR). */
function statIfPresent(path: string, stat: typeof statSync | typeof lstatSync): ReturnType<typeof statSync> | undefined {
  try {
    return stat(path, { throwIfNoEntry: false });
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function specialFileKind(stat: NonNullable<ReturnType<typeof statSync>>): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'a special file';
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
