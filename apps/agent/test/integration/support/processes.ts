import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child process we started, with its output captured in memory and in a log file. */
export interface Started {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  exited: Promise<number | null>;
}

/** Every process this suite started: afterAll kills exactly these, by pid. */
export const startedProcesses: Started[] = [];

/** Spawns `node script args` with output captured to `logPath`; optional text on stdin and environment. */
export function startNode(script: string, args: string[], logPath: string, stdin?: string, env?: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
  const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  let text = '';
  const collect = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    log.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  if (stdin !== undefined) child.stdin?.end(stdin);
  else child.stdin?.end();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      log.end();
      resolve(code);
    }),
  );
  const started: Started = { child, output: () => text, exited };
  startedProcesses.push(started);
  return started;
}

/** Runs `node script args` to completion (bounded by `timeoutMs`). */
export async function runNode(script: string, args: string[], logPath: string, options: { stdin?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; output: string }> {
  const started = startNode(script, args, logPath, options.stdin);
  const code = await Promise.race([started.exited, sleep(options.timeoutMs ?? 30_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    started.child.kill('SIGKILL');
    throw new Error(`node ${script} ${args.join(' ')} did not finish in time:\n${started.output()}`);
  }
  return { code, output: started.output() };
}

/** Kills every process this suite started that still runs (SIGKILL, by pid). */
export async function killStartedProcesses(): Promise<void> {
  await Promise.all(
    startedProcesses.map(async (started) => {
      if (started.child.exitCode === null && started.child.signalCode === null) {
        started.child.kill('SIGKILL');
        await started.exited;
      }
    }),
  );
}

/** Polls `check` every 50 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
