import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../run-types';
import { StepFailure } from '../run-types';
import { nodeScript, runOptions, scriptedStep } from '../testing/scripted-step';
import { makeTempRoot, removeTempRoot } from '../testing/temp-root';
import { runStep } from './run-step';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function listenLater(port: number, delayMs: number): void {
  setTimeout(() => {
    const server = createServer((socket) => socket.destroy());
    servers.push(server);
    server.listen(port, '127.0.0.1');
  }, delayMs);
}

async function runWait(port: number, timeoutMs: number, signal?: AbortSignal) {
  const progress: string[] = [];
  const step = scriptedStep([
    { kind: 'wait', until: { kind: 'tcp', host: '127.0.0.1', port }, what: `test endpoint :${port}`, timeoutMs, intervalMs: 100, why: 'test' },
  ]);
  const onProgress = (event: StepProgress): void => {
    if (event.kind === 'progress') progress.push(event.text);
  };
  const started = Date.now();
  const result = await runStep(step, runOptions('/nonexistent-root', { onProgress, signal })).catch((error: unknown) => error);
  return { result, progress, elapsed: Date.now() - started };
}

describe('wait actions', () => {
  it('returns once the endpoint accepts connections, reporting progress while it waits', async () => {
    const port = await freeLoopbackPort();
    listenLater(port, 400);
    const { result, progress } = await runWait(port, 5_000);
    expect(result).toMatchObject({ status: 'done' });
    expect(progress).toContain(`waiting for test endpoint :${port} (0s of 5s)`);
    expect(progress.filter((text) => text.startsWith('waiting for')).length).toBeGreaterThan(1);
  });

  it('fails TIMEOUT when the endpoint never answers, close to the timeout', async () => {
    const port = await freeLoopbackPort();
    const { result, elapsed } = await runWait(port, 1_000);
    expect(result).toBeInstanceOf(StepFailure);
    expect((result as StepFailure).code).toBe('TIMEOUT');
    expect((result as StepFailure).message).toContain(`test endpoint :${port} was not ready after 1s`);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('fails CANCELLED promptly when aborted while waiting', async () => {
    const port = await freeLoopbackPort();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { result, elapsed } = await runWait(port, 20_000, controller.signal);
    expect((result as StepFailure).code).toBe('CANCELLED');
    expect(elapsed).toBeLessThan(2_000);
  });

  it('waits on a command until it exits 0, reporting its argv to the observer', async () => {
    const spawned: (readonly string[])[] = [];
    const dir = await makeTempRoot();
    try {
      // Counts its own runs in a file and succeeds on the third: no dependence on timing.
      const counter = join(dir, 'attempts');
      const argv = nodeScript(
        "const fs = require('fs'); const f = process.argv.at(-1); const n = (fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 0) + 1; fs.writeFileSync(f, String(n)); process.exitCode = n >= 3 ? 0 : 1",
        counter,
      );
      const step = scriptedStep([
        { kind: 'wait', until: { kind: 'command', argv }, what: 'a command', timeoutMs: 10_000, intervalMs: 100, why: 'test' },
      ]);
      const outcome = await runStep(step, runOptions('/nonexistent-root', { spawnObserver: (a) => spawned.push(a) }));
      expect(outcome.status).toBe('done');
      expect(spawned).toEqual([argv, argv, argv]);
    } finally {
      await removeTempRoot(dir);
    }
  });

  it('tcp-closed: waits until the listener goes away', async () => {
    const port = await freeLoopbackPort();
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    setTimeout(() => server.close(), 400);
    const step = scriptedStep([{ kind: 'wait', until: { kind: 'tcp-closed', host: '127.0.0.1', port }, what: `:${port} closed`, timeoutMs: 5_000, intervalMs: 100, why: 'test' }]);
    const started = Date.now();
    expect((await runStep(step, runOptions('/nonexistent-root'))).status).toBe('done');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  it('command-silent: waits until the command prints nothing (output alone is not enough)', async () => {
    const dir = await makeTempRoot();
    try {
      // Prints a "container id" on its first two runs, nothing on the third; always exits 0.
      const counter = join(dir, 'attempts');
      const argv = nodeScript(
        "const fs = require('fs'); const f = process.argv.at(-1); const n = (fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 0) + 1; fs.writeFileSync(f, String(n)); if (n < 3) console.log('3f2a9c')",
        counter,
      );
      const step = scriptedStep([{ kind: 'wait', until: { kind: 'command-silent', argv }, what: 'no containers', timeoutMs: 10_000, intervalMs: 100, why: 'test' }]);
      expect((await runStep(step, runOptions('/nonexistent-root'))).status).toBe('done');
      expect(Number(readFileSync(counter, 'utf8'))).toBe(3);
    } finally {
      await removeTempRoot(dir);
    }
  });
});
