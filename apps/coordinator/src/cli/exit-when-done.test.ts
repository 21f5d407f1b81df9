import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const HELPER = fileURLToPath(new URL('./exit-when-done.ts', import.meta.url));
const run = promisify(execFile);

/** A node process that finishes a "command" with exit code 3 while `leftOpen` still holds its event loop. */
function finishWith(leftOpen: string) {
  const script = `import { exitWhenDone } from ${JSON.stringify(HELPER)};\n${leftOpen}\nexitWhenDone(3, 200);`;
  // Killed by the timeout (code -1) when the process would not leave.
  return run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 }).then(
    () => ({ code: 0 }),
    (error: { code?: number; killed?: boolean }) => ({ code: error.killed ? -1 : (error.code ?? -1) }),
  );
}

describe('exitWhenDone', () => {
  it('leaves with the exit code although a handle still holds the event loop', async () => {
    const held = await finishWith('setInterval(() => {}, 1_000);');
    expect(held.code).toBe(3);
  });

  it('does not hold a process whose loop empties by itself', async () => {
    const free = await finishWith('');
    expect(free.code).toBe(3);
  });
});
