import { execFile } from 'node:child_process';

/** How a command ended: its error (non-zero exit, timeout, not found) or none, and its output. */
export interface FileRun {
  error?: Error;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program without a shell, stdin closed, bounded by `timeoutMs`; never rejects.
 * node:child_process rather than execa: the agent's start-up path (facts) and `install`
 * use it, and execa stays out of an idle agent (it lives in the `steps` part).
 */
export function runFile(file: string, args: string[], timeoutMs: number): Promise<FileRun> {
  return new Promise((resolve) => {
    try {
      const child = execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => resolve({ error: error ?? undefined, stdout, stderr }));
      child.stdin?.end();
    } catch (error) {
      resolve({ error: error as Error, stdout: '', stderr: '' });
    }
  });
}
