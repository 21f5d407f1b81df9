import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServe } from './serve-process';

// Runs the stand-in "bundle" on the machine instead of in the lab's switch namespace.
vi.mock('../in-host', () => ({ coordinatorArgv: (argv: string[]) => argv }));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'serve-process-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeKumi(name: string, script: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, script);
  return file;
}

describe('startServe', () => {
  it('ignores a "listening on" line an earlier serve left in the log', async () => {
    const logFile = path.join(dir, 'restart.log');
    writeFileSync(logFile, 'kumi serve: lab listening on 192.0.2.1:7443\n');
    const failing = fakeKumi('exits.cjs', "console.log('kumi serve: cannot bind'); process.exit(3);\n");
    await expect(startServe(failing, dir, logFile, 5000)).rejects.toThrow(/exited \(3\) before listening:\nkumi serve: cannot bind/);
  });

  it('returns once the new process reports listening, after the old lines', async () => {
    const logFile = path.join(dir, 'append.log');
    writeFileSync(logFile, 'kumi serve: lab listening on 192.0.2.1:7443\n');
    const serving = fakeKumi(
      'serves.cjs',
      "setTimeout(() => console.log('kumi serve: lab listening on 192.0.2.1:7443'), 150); setInterval(() => {}, 1000);\n",
    );
    const started = Date.now();
    const serve = await startServe(serving, dir, logFile, 5000);
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      // Appended, not truncated: the log keeps the record of both runs.
      expect(readFileSync(logFile, 'utf8').match(/listening on/g)).toHaveLength(2);
    } finally {
      await serve.stop();
    }
    expect(() => process.kill(serve.pid, 0)).toThrow();
  });
});
