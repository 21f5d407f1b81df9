import { execa } from 'execa';

/** Runs a command on the machine; throws with its stderr when it fails. */
export async function run(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  const result = await execa(file, args, {
    input: opts.input,
    timeout: opts.timeoutMs ?? 15_000,
    reject: false,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
  });
  if (result.exitCode !== 0 || result.failed) {
    throw new Error(`${argv.join(' ')} failed (${result.exitCode ?? result.signal ?? 'timeout'}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

/** Runs a command and reports only whether it succeeded (for idempotent cleanup). */
export async function tryRun(argv: string[]): Promise<boolean> {
  const [file, ...args] = argv;
  if (!file) return false;
  const result = await execa(file, args, { reject: false, timeout: 15_000, stdin: 'ignore' });
  return result.exitCode === 0;
}
