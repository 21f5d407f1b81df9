import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { WaitAction, WaitCondition } from '../plan';
import { StepFailure } from '../run-types';
import { tcpAccepts } from '../tcp-accepts';
import type { ExecutionContext } from './execution-context';
import { secretInArgv } from './redactor';

/** Longest a single attempt may take, so one hung attempt cannot eat the whole wait. */
const ATTEMPT_LIMIT_MS = 5_000;

/**
 * Polls the condition every `intervalMs` until it holds (done), the time is up (TIMEOUT)
 * or the run is aborted (CANCELLED). Reports "waiting for X (12s of 60s)" on each try.
 */
export async function waitAction(action: WaitAction, context: ExecutionContext): Promise<void> {
  const started = Date.now();
  const interval = Math.max(50, action.intervalMs);
  const maxAttempts = Math.ceil(action.timeoutMs / interval) + 1;
  const total = `${Math.round(action.timeoutMs / 1000)}s`;

  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    throwIfAborted(action, context);
    const elapsed = Date.now() - started;
    const remaining = action.timeoutMs - elapsed;
    if (remaining <= 0) break;
    context.progress(`waiting for ${action.what} (${Math.floor(elapsed / 1000)}s of ${total})`);
    if (await holds(action.until, Math.min(ATTEMPT_LIMIT_MS, remaining), context)) return;
    const pause = Math.min(interval, action.timeoutMs - (Date.now() - started));
    if (pause <= 0) break;
    try {
      await sleep(pause, undefined, { signal: context.signal });
    } catch {
      throwIfAborted(action, context);
    }
  }
  throw new StepFailure('TIMEOUT', `${action.what} was not ready after ${total} (${action.why})`);
}

function throwIfAborted(action: WaitAction, context: ExecutionContext): void {
  if (context.signal?.aborted) throw new StepFailure('CANCELLED', `cancelled while waiting for ${action.what}`);
}

async function holds(condition: WaitCondition, limitMs: number, context: ExecutionContext): Promise<boolean> {
  switch (condition.kind) {
    case 'tcp':
      return tcpAccepts(condition.host, condition.port, limitMs);
    case 'tcp-closed':
      return !(await tcpAccepts(condition.host, condition.port, limitMs));
    case 'command':
    case 'command-silent': {
      const [file, ...args] = condition.argv;
      if (file === undefined) throw new StepFailure('INTERNAL', 'a wait command has an empty argv');
      if (secretInArgv(condition.argv, context.secrets)) {
        throw new StepFailure('INTERNAL', `refusing to run ${file}: a secret value appears in its arguments`);
      }
      context.spawnObserver?.(condition.argv);
      const result = await execa(file, args, {
        reject: false,
        stdin: 'ignore',
        timeout: limitMs,
        cancelSignal: context.signal,
      });
      return result.exitCode === 0 && (condition.kind === 'command' || String(result.stdout).trim() === '');
    }
  }
}
