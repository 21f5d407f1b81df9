import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../cli/exit-codes';
import { initCluster } from '../state/cluster-init';
import { retryCommand, runUp, type UpMode } from './run-up';

const SEED_SPEC = fileURLToPath(new URL('../../../../examples/seed-ha.yaml', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-run-up-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const retryOptions = (mode: UpMode) => ({ mode, specPath: 'seed.yaml', only: [], skip: [], selection: { stateDir: '/tmp/c' } });

describe('retryCommand', () => {
  it('offers `kumi up --only PATH` after a failed kumi up', () => {
    const retry = retryCommand(retryOptions('up'));
    expect(retry.resume).toBe('kumi up seed.yaml --state-dir /tmp/c');
    expect(retry.only?.('join-workers/kubeadm.join@worker1')).toBe('kumi up seed.yaml --state-dir /tmp/c --only join-workers/kubeadm.join@worker1');
  });

  it.each(['drill', 'verify'] as const)('offers only the rerun of kumi %s (kumi up has no such stage by default)', (mode) => {
    const retry = retryCommand(retryOptions(mode));
    expect(retry.resume).toBe(`kumi ${mode} seed.yaml --state-dir /tmp/c`);
    expect(retry.only).toBeUndefined();
  });
});

describe('runUp confirmation', () => {
  it('refuses kumi drill without --yes when there is no terminal to confirm on, before anything starts', async () => {
    const stateDir = join(dir, 'cluster');
    await initCluster({ name: 'seed-ha', dir: stateDir, addresses: ['127.0.0.1'], port: 7443, listenHost: '127.0.0.1' });
    const output = new PassThrough();
    const run = runUp({
      mode: 'drill',
      specPath: SEED_SPEC,
      only: [],
      skip: [],
      json: false,
      yes: false,
      selection: { stateDir },
      attachTimeoutMs: 1_000,
      detachGraceMs: 1_000,
      confirmIo: { input: new PassThrough(), output },
    });
    await expect(run).rejects.toMatchObject({ exitCode: ExitCode.USAGE, message: expect.stringContaining('pass --yes') });
    expect(existsSync(join(stateDir, 'journal.ndjson'))).toBe(false);
  });
});
