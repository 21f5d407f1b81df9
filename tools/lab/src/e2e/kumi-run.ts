import { spawn, type ChildProcess } from 'node:child_process';
import { coordinatorArgv } from '../in-host';
import { parseProgressLine, type ProgressRecord } from './progress-records';

/** What the event hook may do to the running coordinator. */
export interface KumiRunControl {
  /** SIGKILL the coordinator (a crash: no cleanup, no lock release). */
  kill(): void;
  /** SIGSTOP: the coordinator freezes where it is (its own clock keeps running). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

/** Options of runKumiStreaming. */
export interface KumiRunOptions {
  /** Called for every NDJSON event as it is printed (only with --json). */
  onEvent?: (event: ProgressRecord, control: KumiRunControl) => void | Promise<void>;
  /** SIGKILL after this long (default 8 min). */
  timeoutMs?: number;
  /** Extra environment for kumi. */
  env?: Record<string, string>;
}

/** How one kumi run ended and everything it printed. */
export interface KumiRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the run was ended by the hook's kill() (not by the timeout). */
  killed: boolean;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The NDJSON events parsed so far (with --json); a malformed line throws at its end. */
  events: ProgressRecord[];
  ms: number;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every kumi run still going (a test's afterAll, after a timeout). */
export function killKumiRuns(): void {
  for (const child of running) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  running.clear();
}

/**
 * Runs the bundled kumi CLI on the coordinator's side of the lab (switch netns, 192.0.2.1),
 * parsing stdout as NDJSON while it streams so a test can crash (SIGKILL) or freeze (SIGSTOP)
 * the coordinator at an exact event. `nsenter -n` execs, so the child pid is kumi's own.
 */
export function runKumiStreaming(kumiBundle: string, stateDir: string, args: string[], opts: KumiRunOptions = {}): Promise<KumiRunResult> {
  const [file, ...rest] = coordinatorArgv([process.execPath, '--enable-source-maps', kumiBundle, ...args]);
  const started = Date.now();
  const child = spawn(file as string, rest, {
    env: { ...process.env, ...opts.env, KUMI_STATE_DIR: stateDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let pending = '';
  let killed = false;
  let timedOut = false;
  let parseError: Error | undefined;
  const events: ProgressRecord[] = [];
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  const control: KumiRunControl = {
    kill: () => {
      killed = true;
      signal('SIGCONT');
      signal('SIGKILL');
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
  // The hook is called at once for every event (so a kill lands right at its event); the run
  // ends only after every async hook settled, and a hook's error ends it too.
  const hooks: Promise<void>[] = [];
  const onLine = (line: string) => {
    if (line.trim() === '' || parseError) return;
    try {
      const event = parseProgressLine(line);
      events.push(event);
      if (opts.onEvent && !killed) {
        hooks.push(
          Promise.resolve()
            .then(() => opts.onEvent?.(event, control))
            .catch((error: Error) => {
              parseError ??= error;
              control.kill();
            }),
        );
      }
    } catch (error) {
      parseError = new Error(`kumi ${args[0] ?? ''} printed a line that is not a progress event: ${(error as Error).message}\n  line: ${line.slice(0, 500)}`);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    signal('SIGCONT');
    signal('SIGKILL');
  }, opts.timeoutMs ?? 8 * 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, sig) => {
      clearTimeout(timer);
      running.delete(child);
      if (pending.trim() !== '' && !killed) onLine(pending);
      void Promise.all(hooks).then(() => {
        if (parseError) reject(parseError);
        else resolve({ exitCode, signal: sig, killed, timedOut, stdout, stderr, events, ms: Date.now() - started });
      });
    });
  });
}
