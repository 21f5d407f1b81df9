import { spawn } from 'node:child_process';
import { coordinatorArgv } from '../in-host';

/**
 * Runs the bundled kumi CLI at 192.0.2.1 (the lab's switch netns) with the caller's terminal:
 * stdin, stdout and stderr inherited, so `kumi up` shows its live view when a person watches.
 * Resolves to kumi's exit code (128 + signal number when killed).
 */
export function runKumiInteractive(kumiBundle: string, stateDir: string, args: string[]): Promise<number> {
  const [file, ...rest] = coordinatorArgv([process.execPath, '--enable-source-maps', kumiBundle, ...args]);
  const child = spawn(file as string, rest, { env: { ...process.env, KUMI_STATE_DIR: stateDir }, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9)));
  });
}
