// Docker's containerd.io 2.x in Rocky 9 lab hosts (KUMI_LAB_CONTAINERD_IO=2: the binaries are the
// real containerd 2.x that tools/setup.sh caches), driven through real agents with `kumi run`:
// - a host that already runs containerd.io 2.x on its package config (CRI off), as a host with
//   Docker installed does: runtime.containerd writes a version 3 file, which the real 2.x reads;
// - a fresh host: runtime.containerd installs containerd.io 2.x itself, writing the file before the
//   version is known (version 2, which 2.x migrates).
// Either way the restarted daemon serves the CRI with runc on systemd cgroups (the lab's crictl asks
// the real daemon), and a second run changes nothing. Root only; two hosts; about 40 s.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRepoContent } from '../../../../libs/steps/src/steps/common/docker-repo';
import { rhelFacts } from '../../../../libs/steps/src/testing/host-facts';
import { CONTAINERD2_CACHE, cachedContainerd2Version } from '@kumi/lab-standins/packages/containerd-io-2';
import { labClusterFixture, type LabCluster } from '../../src/cluster';
import { inHost } from '../../src/in-host';
import type { Topology } from '../../src/topology';
import { describeRun, runStep } from '../agents/step-runs';
import { labSkipReason } from '../lab-checks';

const version = cachedContainerd2Version();
const skip = labSkipReason() ?? (version === undefined ? `no containerd 2.x in ${CONTAINERD2_CACHE} (run tools/setup.sh as root)` : undefined);
if (skip) console.warn(`\n*** SKIPPED: containerd.io 2.x in Rocky lab hosts (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-containerd-io-2-${process.pid}`;
const STATE_DIR = `/var/tmp/kumi-lab-test-containerd-io-2-state-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
// The lab's Docker repository serves containerd.io 2.x (recorded when the lab is built).
process.env.KUMI_LAB_CONTAINERD_IO = '2';
const TOPOLOGY: Topology = {
  vip: '192.0.2.100',
  hosts: [
    { name: 'master1', role: 'master', address: '192.0.2.21', os: 'rocky-9' },
    { name: 'master2', role: 'master', address: '192.0.2.22', os: 'rocky-9' },
  ],
};
const PARAMS = { kubernetesVersion: '1.33.2' };

/** Runs a shell script in a host (inHost strips one final newline from each stream). */
async function run(host: string, script: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await inHost(host, ['sh', '-c', script], { timeoutMs: 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** The lab's crictl (the real CRI client side) asking the host's running containerd for runc's options. */
async function runcOptions(host: string): Promise<Record<string, unknown>> {
  const info = await run(host, `${path.join(LAB_DIR, 'bin', 'crictl')} --runtime-endpoint unix:///run/containerd/containerd.sock info`);
  expect(info.exitCode, info.stderr).toBe(0);
  return (JSON.parse(info.stdout) as { config: { containerd: { runtimes: { runc: { options: Record<string, unknown> } } } } }).config.containerd.runtimes.runc.options;
}

describe.skipIf(skip !== undefined).sequential(`containerd.io ${version ?? '2.x'} in Rocky 9 lab hosts, set up by runtime.containerd`, () => {
  const lab = labClusterFixture();
  let cluster: LabCluster | undefined;
  beforeAll(async () => {
    cluster = await lab.start({ topology: TOPOLOGY, stateDir: STATE_DIR, clusterName: 'containerd-io-2' });
  }, 180_000);
  afterAll(async () => {
    // stop() takes the lab down and removes STATE_DIR, which it created; the lab dir goes even when the start failed.
    await lab.stop().finally(() => rmSync(LAB_DIR, { recursive: true, force: true }));
  }, 120_000);

  it("dnf install containerd.io from Docker's repository lays down containerd 2.x as its package does; started, it serves no CRI", async () => {
    const repo = dockerRepoContent({ ...rhelFacts, hostName: 'master2' }, 'dnf');
    expect((await run('master2', `mkdir -p /etc/yum.repos.d && cat > /etc/yum.repos.d/docker-ce.repo <<'REPO'\n${repo}REPO`)).exitCode).toBe(0);
    const installed = await run('master2', 'dnf install -y containerd.io');
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`containerd.io-${version}-1.1.el9.x86_64`);
    expect((await run('master2', 'containerd --version; ctr --version')).stdout).toMatch(new RegExp(`^containerd \\S+ v?${version?.replace(/\./g, '\\.')}\\S*.*\\nctr \\S+ v?${version?.replace(/\./g, '\\.')}`));
    expect((await run('master2', 'readlink /usr/bin/containerd-shim-runc-v2')).stdout).toBe(path.join(CONTAINERD2_CACHE, 'usr/bin/containerd-shim-runc-v2'));
    // The 1.x shims are gone in 2.0; runc comes with the package.
    expect((await run('master2', 'ls /usr/bin/containerd-shim /usr/bin/containerd-shim-runc-v1 2>&1; command -v runc')).stdout).toMatch(/No such file[\s\S]*No such file[\s\S]*\/runc$/);
    expect((await run('master2', 'cat /etc/containerd/config.toml')).stdout).toMatch(/^disabled_plugins = \["cri"\]$/m);
    expect((await run('master2', 'systemctl enable --now containerd && systemctl is-active containerd')).stdout.trim()).toBe('active');
    const info = await run('master2', `${path.join(LAB_DIR, 'bin', 'crictl')} --runtime-endpoint unix:///run/containerd/containerd.sock info`);
    expect(info.exitCode).toBe(1);
    expect(info.stderr).toContain('unknown service runtime.v1.RuntimeService');
  }, 60_000);

  it('on that host runtime.containerd writes a version 3 file, restarts containerd: CRI on, runc with systemd cgroups; a rerun is a noop', async () => {
    const first = await runStep(cluster!, 'master2', 'runtime.containerd', PARAMS);
    expect(first.kind, describeRun(first)).toBe('DONE');
    expect(first.outputs).toMatchObject({ containerdVersion: expect.stringMatching(/^2\./), configVersion: 3, systemdCgroup: true, checkedThrough: 'ctr plugins ls' });
    expect((await run('master2', 'head -2 /etc/containerd/config.toml')).stdout).toMatch(/^# Written by kumi.*\nversion = 3$/);
    // containerd 2.x itself reads the file as written.
    const dump = await run('master2', 'containerd --config /etc/containerd/config.toml config dump');
    expect(dump.exitCode, dump.stderr).toBe(0);
    expect(dump.stdout).toMatch(/^\s*SystemdCgroup = true$/m);
    expect(await runcOptions('master2')).toMatchObject({ SystemdCgroup: true });
    const again = await runStep(cluster!, 'master2', 'runtime.containerd', PARAMS);
    expect(again.kind, describeRun(again)).toBe('NOOP');
  }, 120_000);

  it('on a fresh host runtime.containerd installs containerd.io 2.x itself: its version 2 file is migrated by 2.x, systemd cgroups; a rerun is a noop', async () => {
    const first = await runStep(cluster!, 'master1', 'runtime.containerd', PARAMS);
    expect(first.kind, describeRun(first)).toBe('DONE');
    expect(first.outputs).toMatchObject({ containerdVersion: expect.stringMatching(/^2\./), configVersion: 2, systemdCgroup: true });
    expect((await run('master1', 'rpm -q containerd.io')).stdout).toBe(`containerd.io-${version}-1.1.el9.x86_64`);
    expect(await runcOptions('master1')).toMatchObject({ SystemdCgroup: true });
    const again = await runStep(cluster!, 'master1', 'runtime.containerd', PARAMS);
    expect(again.kind, describeRun(again)).toBe('NOOP');
  }, 120_000);
});
