import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** A throwaway network namespace for tests; `remove` must run in afterAll/finally. */
export interface TestNetns {
  name: string;
  /** Runs a command inside the namespace and returns its stdout; throws on failure. */
  exec(argv: readonly string[], input?: string): string;
  remove(): void;
}

/** Whether this process can create network namespaces (root with iproute2). */
export function canUseNetns(): boolean {
  return process.getuid?.() === 0 && tryRun(['ip', 'netns', 'list']);
}

/** Creates `kumi-test-<random>` with loopback up. */
export function createTestNetns(): TestNetns {
  const name = `kumi-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
  const exec = (argv: readonly string[], input?: string): string =>
    execFileSync('ip', ['netns', 'exec', name, ...argv], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    exec(['ip', 'link', 'set', 'lo', 'up']);
  } catch (error) {
    execFileSync('ip', ['netns', 'delete', name], { stdio: 'pipe' });
    throw error;
  }
  return { name, exec, remove: () => void tryRun(['ip', 'netns', 'delete', name]) };
}

function tryRun(argv: readonly string[]): boolean {
  try {
    execFileSync(argv[0] ?? '', argv.slice(1), { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
