// `dnf install containerd.io` on a Rocky 9 lab host, as kumi's runtime.containerd runs it
// (source auto on dnf hosts): nothing offered before Docker's repo file is in /etc/yum.repos.d,
// then the package's files (containerd.io's config.toml with the CRI off, docker/containerd-
// packaging common/containerd.toml), rpm -q in rpm's formats, and no service started (EL
// presets). Root only; one host; costs ~4 s of wall (lab up included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRepoContent } from '../../../../libs/steps/src/steps/common/docker-repo';
import { rhelFacts } from '../../../../libs/steps/src/testing/host-facts';
import { inHost } from '../../src/in-host';
import { labDown } from '../../src/lab-down';
import { labUp } from '../../src/lab-up';
import type { Topology } from '../../src/topology';
import { labSkipReason } from '../lab-checks';

const skip = labSkipReason();
if (skip) console.warn(`\n*** SKIPPED: dnf install containerd.io in a Rocky lab host (${skip}) ***\n`);

process.env.KUMI_LAB_DIR = `/var/tmp/kumi-lab-test-dnf-${process.pid}`;
const TOPOLOGY: Topology = { vip: '192.0.2.100', hosts: [{ name: 'master1', role: 'master', address: '192.0.2.21', os: 'rocky-9' }] };

/** Runs a shell script in the host (execa strips one final newline from stdout and stderr). */
async function run(script: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await inHost('master1', ['sh', '-c', script], { timeoutMs: 30_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe.skipIf(skip !== undefined).sequential('dnf install containerd.io on Rocky 9 (lab host)', () => {
  beforeAll(async () => {
    await labDown();
    await labUp({ topology: TOPOLOGY });
  }, 90_000);
  afterAll(async () => {
    await labDown();
  }, 60_000);

  it('has rpm and dnf, no apt; containerd.io is not offered without Docker\'s repository', async () => {
    expect((await run('command -v rpm; command -v dnf')).stdout.split('\n')).toEqual(['/usr/bin/rpm', '/usr/bin/dnf']);
    expect((await run('command -v apt-get')).exitCode).not.toBe(0);
    // A fresh host has no runtime, even though the machine running the lab has one.
    expect(await run('for c in containerd ctr runc; do command -v $c; done; ls -A /etc/containerd /usr/lib/systemd/system/containerd.service 2>&1; true')).toEqual({
      exitCode: 0,
      stdout: "ls: cannot access '/usr/lib/systemd/system/containerd.service': No such file or directory\n/etc/containerd:",
      stderr: '',
    });
    expect(await run('rpm -q --qf "%{VERSION}-%{RELEASE}" containerd.io')).toEqual({ exitCode: 1, stdout: 'package containerd.io is not installed', stderr: '' });
    const none = await run('dnf install -y containerd.io');
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('Error: Unable to find a match: containerd.io');
  });

  it("with kumi's docker-ce.repo: installs containerd.io with its CRI-off config, starts nothing", async () => {
    const repo = dockerRepoContent({ ...rhelFacts, hostName: 'master1' }, 'dnf');
    expect((await run(`mkdir -p /etc/yum.repos.d && cat > /etc/yum.repos.d/docker-ce.repo <<'REPO'\n${repo}REPO`)).exitCode).toBe(0);
    const installed = await run('dnf install -y containerd.io');
    expect(installed.exitCode).toBe(0);
    expect(installed.stdout).toContain('containerd.io-1.7.27-3.1.el9.x86_64');
    expect((await run('cat /etc/containerd/config.toml')).stdout).toMatch(/^disabled_plugins = \["cri"\]$/m);
    // The machine's own binaries (containerd.io bundles runc) and unit, as the package ships them.
    expect((await run('for c in containerd ctr runc; do command -v $c; done')).stdout).toBe('/usr/bin/containerd\n/usr/bin/ctr\n/usr/sbin/runc');
    expect((await run('containerd --version')).stdout).toMatch(/^containerd \S+ 1\.6\.20/);
    expect((await run('test -f /usr/lib/systemd/system/containerd.service && echo unit')).stdout).toBe('unit');
    expect(await run('rpm -q --qf "%{VERSION}-%{RELEASE}" containerd.io')).toEqual({ exitCode: 0, stdout: '1.7.27-3.1.el9', stderr: '' });
    expect((await run('rpm -q containerd.io')).stdout).toBe('containerd.io-1.7.27-3.1.el9.x86_64');
    expect((await run('rpm -q containerd.io kubelet; echo "exit $?"')).stdout).toBe('containerd.io-1.7.27-3.1.el9.x86_64\npackage kubelet is not installed\nexit 1');
    const active = await run('systemctl is-active containerd');
    expect(active.stdout.trim()).toBe('inactive');
    expect(active.exitCode).toBe(3);
    const again = await run('dnf install -y containerd.io');
    expect(again.stdout).toContain('Package containerd.io-1.7.27-3.1.el9.x86_64 is already installed.');
  });
});
