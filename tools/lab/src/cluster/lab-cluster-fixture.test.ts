import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { labDown } from '../lab-down';
import { labUp, type LabUpResult } from '../lab-up';
import { seedTopology } from '../topology';
import { ensureKumiBundles } from './kumi-bundles';
import { labClusterFixture } from './lab-cluster-fixture';

// No lab, no bundles, no kumi: only the fixture's wait and sweep run.
vi.mock('../lab-up', () => ({ labUp: vi.fn() }));
vi.mock('../lab-down', () => ({ labDown: vi.fn() }));
vi.mock('./kumi-bundles', () => ({ ensureKumiBundles: vi.fn() }));
vi.mock('./kumi-cli', () => ({ callKumi: vi.fn(async () => ({ exitCode: 0, stdout: '', stderr: '', ms: 0 })) }));

const base = mkdtempSync(path.join(tmpdir(), 'lab-cluster-fixture-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeEach(() => {
  vi.mocked(labUp).mockReset();
  vi.mocked(labDown).mockReset().mockResolvedValue({ ms: 0, killedHosts: [] });
  vi.mocked(ensureKumiBundles).mockReset().mockResolvedValue({ kumi: '/nonexistent/kumi.cjs', agent: '/nonexistent/kumi-agent.cjs', rebuilt: false });
});

describe('labClusterFixture', () => {
  it('stop() waits for a start its hook abandoned, then sweeps the lab', async () => {
    let bootDone: (result: LabUpResult) => void = () => {};
    vi.mocked(labUp).mockImplementation(() => new Promise((resolve) => (bootDone = resolve)));
    const lab = labClusterFixture();
    // As a beforeAll that timed out: nobody awaits the start any more.
    lab.start({ topology: seedTopology(), stateDir: path.join(base, 'abandoned'), serve: false }).catch(() => undefined);
    await vi.waitFor(() => expect(labUp).toHaveBeenCalledOnce());
    let stopped = false;
    const stopping = lab.stop().then(() => (stopped = true));
    // The start is still booting: the sweep must not run under it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    expect(labDown).not.toHaveBeenCalled();
    // The boot finishes; the start then fails (the mocked token has no agent config) and takes
    // its lab down; the fixture's sweep follows.
    bootDone({ ms: 1, failures: [] });
    await stopping;
    expect(labDown).toHaveBeenCalledTimes(2);
  });

  it('stop() sweeps the lab even when the start failed', async () => {
    vi.mocked(labUp).mockRejectedValue(new Error('boot failed'));
    const lab = labClusterFixture();
    await expect(lab.start({ topology: seedTopology(), stateDir: path.join(base, 'failed') })).rejects.toThrow(/boot failed/);
    await lab.stop();
    expect(labDown).toHaveBeenCalledOnce();
  });

  it('stop() without a start does nothing, and reports a sweep that failed', async () => {
    await labClusterFixture().stop();
    expect(labDown).not.toHaveBeenCalled();
    vi.mocked(labUp).mockRejectedValue(new Error('boot failed'));
    vi.mocked(labDown).mockRejectedValue(new Error('lab processes still alive'));
    const lab = labClusterFixture();
    await lab.start({ topology: seedTopology(), stateDir: path.join(base, 'stuck') }).catch(() => undefined);
    await expect(lab.stop()).rejects.toThrow(/sweeping the lab: lab processes still alive/);
  });
});
