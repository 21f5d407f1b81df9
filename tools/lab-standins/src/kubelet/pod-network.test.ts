import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addPodNetwork, type PodNetworkOps } from './pod-network';

// A failed CNI ADD is undone as containerd's RunPodSandbox does (pkg/cri/server/sandbox_run.go
// v1.7): CNI DEL of the list, then the netns, which stays when the DEL itself failed.
let confDir: string;
beforeEach(() => {
  confDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-cni-'));
  fs.writeFileSync(path.join(confDir, '10-test.conflist'), JSON.stringify({ name: 'cbr0', cniVersion: '0.3.1', plugins: [{ type: 'bridge' }, { type: 'portmap' }] }));
});
afterEach(() => fs.rmSync(confDir, { recursive: true, force: true }));

/** Records every call; a plugin fails when named in `failing` ("ADD bridge"). */
function recordingOps(failing: string[]): { ops: PodNetworkOps; calls: string[] } {
  const calls: string[] = [];
  const ops: PodNetworkOps = {
    invoke: async (conf, env) => {
      const call = `${env.CNI_COMMAND} ${conf.type}`;
      calls.push(call);
      if (failing.includes(call)) throw new Error(`CNI ${call} failed (exit 1): no IP addresses available in range set`);
      return conf.type === 'portmap' ? { ips: [{ address: '10.244.1.5/24' }] } : {};
    },
    addNetns: async (name) => void calls.push(`netns add ${name}`),
    delNetns: async (name) => void calls.push(`netns del ${name}`),
    address: async () => undefined,
  };
  return { ops, calls };
}

describe('pod network setup failure', () => {
  it('a failed ADD runs DEL for the list in reverse, then removes the netns, and reports the ADD error', async () => {
    const { ops, calls } = recordingOps(['ADD bridge']);
    await expect(addPodNetwork('0123abcd', confDir, ops)).rejects.toThrow('CNI ADD bridge failed');
    expect(calls).toEqual(['netns add cni-0123abcd', 'ADD loopback', 'ADD bridge', 'DEL portmap', 'DEL bridge', 'netns del cni-0123abcd']);
  });

  it('a result without an address is a failure too (containerd: failed to find network info)', async () => {
    const { ops, calls } = recordingOps([]);
    const noIp: PodNetworkOps = { ...ops, invoke: async (conf, env) => (await ops.invoke(conf, env), {}) };
    await expect(addPodNetwork('0123abcd', confDir, noIp)).rejects.toThrow('failed to find network info for sandbox "0123abcd"');
    expect(calls.slice(-3)).toEqual(['DEL portmap', 'DEL bridge', 'netns del cni-0123abcd']);
  });

  it('when DEL fails too, the netns stays (containerd removes it only after a clean teardown)', async () => {
    const { ops, calls } = recordingOps(['ADD portmap', 'DEL portmap']);
    await expect(addPodNetwork('0123abcd', confDir, ops)).rejects.toThrow('CNI ADD portmap failed');
    expect(calls).toEqual(['netns add cni-0123abcd', 'ADD loopback', 'ADD bridge', 'ADD portmap', 'DEL portmap']);
  });

  it('a successful ADD returns the address of the last result', async () => {
    const { ops } = recordingOps([]);
    expect(await addPodNetwork('0123abcd', confDir, ops)).toEqual({ netns: 'cni-0123abcd', ip: '10.244.1.5' });
  });
});
