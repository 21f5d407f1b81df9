import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { labDown } from '../lab-down';
import { labUp } from '../lab-up';
import { seedTopology } from '../topology';
import { ensureKumiBundles } from './kumi-bundles';
import { startLabCluster } from './lab-cluster';

// No lab, no bundles, no kumi: only startLabCluster's own start and cleanup logic runs.
vi.mock('../lab-up', () => ({ labUp: vi.fn() }));
vi.mock('../lab-down', () => ({ labDown: vi.fn() }));
vi.mock('./kumi-bundles', () => ({ ensureKumiBundles: vi.fn() }));
vi.mock('./kumi-cli', () => ({ callKumi: vi.fn(async () => ({ exitCode: 0, stdout: '', stderr: '', ms: 0 })) }));

let base: string;
let n = 0;
const fresh = () => path.join(base, `state-${n++}`);

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'lab-cluster-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeEach(() => {
  vi.mocked(labUp).mockReset();
  vi.mocked(labDown).mockReset().mockResolvedValue({ ms: 0, killedHosts: [] });
  vi.mocked(ensureKumiBundles).mockReset().mockResolvedValue({ kumi: '/nonexistent/kumi.cjs', agent: '/nonexistent/kumi-agent.cjs', rebuilt: false });
});

describe('startLabCluster cleanup', () => {
  it('refuses a state folder that holds a cluster and leaves it as it was', async () => {
    const stateDir = fresh();
    mkdirSync(stateDir);
    writeFileSync(path.join(stateDir, 'cluster.json'), '{}');
    await expect(startLabCluster({ topology: seedTopology(), stateDir })).rejects.toThrow(/already holds a kumi cluster/);
    expect(existsSync(path.join(stateDir, 'cluster.json'))).toBe(true);
    expect(labUp).not.toHaveBeenCalled();
    expect(labDown).not.toHaveBeenCalled();
  });

  it('leaves another lab up when labUp refuses to start', async () => {
    vi.mocked(labUp).mockRejectedValue(new Error('a lab is already up or left over from a crashed run (state.json)'));
    await expect(startLabCluster({ topology: seedTopology(), stateDir: fresh() })).rejects.toThrow(/a lab is already up/);
    expect(labUp).toHaveBeenCalledOnce();
    expect(labDown).not.toHaveBeenCalled();
  });

  it('removes the state folder it created but never one that existed before', async () => {
    vi.mocked(labUp).mockRejectedValue(new Error('boot failed'));
    const created = fresh();
    // What the real `kumi init` would have done before labUp.
    vi.mocked(labUp).mockImplementationOnce(async () => {
      mkdirSync(created);
      throw new Error('boot failed');
    });
    await expect(startLabCluster({ topology: seedTopology(), stateDir: created })).rejects.toThrow(/boot failed/);
    expect(existsSync(created)).toBe(false);

    const existing = fresh();
    mkdirSync(existing);
    writeFileSync(path.join(existing, 'keep.txt'), 'mine');
    await expect(startLabCluster({ topology: seedTopology(), stateDir: existing })).rejects.toThrow(/boot failed/);
    expect(existsSync(path.join(existing, 'keep.txt'))).toBe(true);
  });

  it('brings the lab down when a later step fails after labUp succeeded', async () => {
    vi.mocked(labUp).mockResolvedValue({ ms: 1, failures: [] });
    const { callKumi } = await import('./kumi-cli');
    vi.mocked(callKumi).mockResolvedValueOnce({ exitCode: 0, stdout: '', stderr: '', ms: 0 }); // init
    vi.mocked(callKumi).mockResolvedValueOnce({ exitCode: 1, stdout: '', stderr: 'no token for you', ms: 0 }); // token create
    await expect(startLabCluster({ topology: seedTopology(), stateDir: fresh(), serve: false })).rejects.toThrow(/no token for you/);
    expect(labDown).toHaveBeenCalledOnce();
  });
});
