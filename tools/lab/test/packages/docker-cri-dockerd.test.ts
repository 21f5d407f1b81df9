// Docker Engine and cri-dockerd in a Debian lab host, installed as kumi's runtime.docker installs
// them: docker-ce, docker-ce-cli and containerd.io from Docker's repository (apt's postinst
// starts containerd, docker.socket and docker.service), then cri-dockerd's release .deb from a
// file. The dockerd is REAL (Debian's docker.io 20.10.24, unpacked by tools/setup.sh): its own
// iptables chains in the host's netns, containerd from containerd.io, socket-activated through
// docker.socket. cri-dockerd is the lab's stand-in over dockerd's API, socket-activated through
// cri-docker.socket. Root only; one host; costs ~20 s of wall (lab up included).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRepoContent } from '../../../../libs/steps/src/steps/common/docker-repo';
import { DOCKER_DAEMON_SETTINGS } from '../../../../libs/steps/src/steps/runtime-docker/runtime-docker';
import { debianFacts } from '../../../../libs/steps/src/testing/host-facts';
import { inHost } from '../../src/in-host';
import { labDown } from '../../src/lab-down';
import { labUp } from '../../src/lab-up';
import type { Topology } from '../../src/topology';
import { labSkipReason } from '../lab-checks';

const DOCKERD = '/var/cache/kumi-lab/docker/root/usr/sbin/dockerd';
const skip = labSkipReason() ?? (existsSync(DOCKERD) ? undefined : `${DOCKERD} is missing: run tools/setup.sh`);
if (skip) console.warn(`\n*** SKIPPED: Docker + cri-dockerd in a Debian lab host (${skip}) ***\n`);

process.env.KUMI_LAB_DIR = `/var/tmp/kumi-lab-test-docker-${process.pid}`;
const TOPOLOGY: Topology = { vip: '192.0.2.100', hosts: [{ name: 'worker1', role: 'worker', address: '192.0.2.31' }] };

/** Runs a shell script in the host (execa strips one final newline from stdout and stderr). */
async function run(script: string, timeoutMs = 60_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await inHost('worker1', ['sh', '-c', script], { timeoutMs });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Polls a script until it prints `want` (bounded: 40 tries, 250 ms apart). */
async function until(script: string, want: string): Promise<string> {
  let last = '';
  for (let i = 0; i < 40; i++) {
    last = (await run(script)).stdout.trim();
    if (last === want) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

const machineIptables = () => execFileSync('iptables-save', { encoding: 'utf8' }).split('\n').filter((l) => !l.startsWith('#')).join('\n');

/** A .deb as cri-dockerd's release ships it, built with the real dpkg-deb (control fields only: the lab's package payload holds the files). */
const BUILD_DEB = [
  'set -e; d=$(mktemp -d); mkdir -p $d/DEBIAN /var/cache/kumi',
  'printf "Package: cri-dockerd\\nVersion: 0.3.16.3-0.debian-bookworm\\nArchitecture: amd64\\nMaintainer: Mirantis <support@mirantis.com>\\nDescription: lab copy\\n" > $d/DEBIAN/control',
  'dpkg-deb --build --root-owner-group $d /var/cache/kumi/cri-dockerd-0.3.16.deb >/dev/null; rm -rf $d',
].join('\n');

describe.skipIf(skip !== undefined).sequential('Docker Engine + cri-dockerd in a Debian lab host', () => {
  let before = '';
  beforeAll(async () => {
    before = machineIptables();
    await labDown();
    await labUp({ topology: TOPOLOGY });
  }, 90_000);
  afterAll(async () => {
    await labDown();
  }, 60_000);

  it("docker-ce is offered only from Docker's repository; apt's postinst starts the real dockerd on the package config", async () => {
    expect((await run('command -v dockerd docker cri-dockerd; true')).stdout).toBe('');
    // The host's disk for Docker: overlay2 cannot stack on the lab's overlayfs /var/lib ("failed to
    // mount overlay: invalid argument"), as on a real host /var/lib/docker is ext4 or xfs.
    expect((await run('mkdir -p /var/lib/docker && mount -t tmpfs -o size=2g docker-disk /var/lib/docker')).exitCode).toBe(0);
    expect((await run('apt-get install -y docker-ce')).stderr).toContain('E: Unable to locate package docker-ce');
    const source = dockerRepoContent({ ...debianFacts, hostName: 'worker1' }, 'apt');
    expect((await run(`mkdir -p /etc/apt/sources.list.d && cat > /etc/apt/sources.list.d/docker.list <<'SRC'\n${source}SRC`)).exitCode).toBe(0);
    const installed = await run('DEBIAN_FRONTEND=noninteractive apt-get install -y docker-ce docker-ce-cli containerd.io', 120_000);
    expect(installed.stderr).toBe('');
    expect(installed.exitCode).toBe(0);
    // dpkg configures containerd.io (docker-ce's dependency) before docker-ce.
    expect(installed.stdout.indexOf('Setting up containerd.io')).toBeLessThan(installed.stdout.indexOf('Setting up docker-ce '));
    expect((await run('getent group docker')).stdout).toMatch(/^docker:x:\d+:$/);
    expect((await run('systemctl is-active containerd docker.socket docker')).stdout).toBe('active\nactive\nactive');
    expect((await run('stat -c "%a %U %G %F" /run/docker.sock')).stdout).toBe('660 root docker socket');
    const version = await run("docker version --format '{{.Server.Version}} {{.Server.Os}}'");
    expect(version.stderr).toBe('');
    expect(version.stdout).toBe('20.10.24+dfsg1 linux');
    // The package's own config: no daemon.json, so cgroupfs (dockerd's default on cgroup v1).
    expect((await run("docker info --format '{{.CgroupDriver}}'")).stdout).toBe('cgroupfs');
    // dockerd's MainPID is the daemon itself (socket passed with LISTEN_PID = its pid).
    const pid = (await run('systemctl show -p MainPID --value docker')).stdout;
    expect((await run(`cat /proc/${pid}/comm`)).stdout).toBe('dockerd');
    // Its firewall rules live in the host's netns only.
    expect((await run('iptables -S DOCKER-USER')).stdout).toContain('-N DOCKER-USER');
    expect(machineIptables()).toBe(before);
  }, 180_000);

  it('keeps its cgroup driver until restarted: daemon.json systemd, then restart', async () => {
    // kumi's daemon.json (runtime.docker): systemd cgroup driver, overlay2.
    const daemonJson = JSON.stringify(DOCKER_DAEMON_SETTINGS);
    expect((await run(`mkdir -p /etc/docker && cat > /etc/docker/daemon.json <<'JSON'\n${daemonJson}\nJSON`)).exitCode).toBe(0);
    expect((await run("docker info --format '{{.CgroupDriver}}'")).stdout).toBe('cgroupfs');
    expect((await run('systemctl restart docker')).exitCode).toBe(0);
    expect((await run("docker info --format '{{.CgroupDriver}} {{.Driver}}'")).stdout).toBe('systemd overlay2');
  }, 120_000);

  it("cri-dockerd's .deb: socket and service started by postinst; its CRI answers runtime docker", async () => {
    // crictl comes with cri-tools from pkgs.k8s.io, as kubeadm's dependency.
    expect((await run(`echo 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.33/deb/ /' > /etc/apt/sources.list.d/kubernetes.list && apt-get install -y cri-tools`)).exitCode).toBe(0);
    expect((await run(BUILD_DEB)).exitCode).toBe(0);
    const installed = await run('DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages /var/cache/kumi/cri-dockerd-0.3.16.deb', 60_000);
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toContain('Setting up cri-dockerd (0.3.16.3-0.debian-bookworm) ...');
    expect((await run('cri-dockerd --version')).stdout).toMatch(/^cri-dockerd 0\.3\.16 /);
    expect((await run('systemctl is-active cri-docker.socket cri-docker.service')).stdout).toBe('active\nactive');
    expect((await run('stat -c "%a %G %F" /run/cri-dockerd.sock; readlink -f /var/run/cri-dockerd.sock')).stdout).toBe('660 docker socket\n/run/cri-dockerd.sock');
    const version = await run('crictl --runtime-endpoint unix:///var/run/cri-dockerd.sock version');
    expect(version.stderr).toBe('');
    expect(version.stdout).toBe('Version:  0.1.0\nRuntimeName:  docker\nRuntimeVersion:  20.10.24+dfsg1\nRuntimeApiVersion:  v1');
    const info = JSON.parse((await run('crictl --runtime-endpoint unix:///var/run/cri-dockerd.sock info')).stdout) as { status: { conditions: { type: string; status: boolean }[] }; config: { sandboxImage: string } };
    expect(info.status.conditions.find((c) => c.type === 'RuntimeReady')?.status).toBe(true);
    expect(info.config.sandboxImage).toBe('registry.k8s.io/pause:3.9');
  }, 120_000);

  it('no CRI while dockerd is down; a stopped cri-dockerd starts again on the next connection', async () => {
    // cri-dockerd remembers dockerd's version for a minute (utils/cache.go) and the test above
    // asked: a restarted one has nothing remembered. The restart takes the socket along (PartOf=).
    const holder = (await run('systemctl show -p MainPID --value cri-docker.socket')).stdout;
    expect((await run('systemctl restart cri-docker.service; systemctl is-active cri-docker.service cri-docker.socket')).stdout).toBe('active\nactive');
    expect((await run('systemctl show -p MainPID --value cri-docker.socket')).stdout).not.toBe(holder);
    expect((await run('systemctl stop docker docker.socket')).exitCode).toBe(0);
    // crictl validates with Version first, which cri-dockerd answers only through dockerd.
    const down = await run('crictl --runtime-endpoint unix:///var/run/cri-dockerd.sock info');
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain('validate CRI v1 runtime API for endpoint');
    expect(down.stderr).toContain('rpc error: code = Unknown desc = failed to get docker version from dockerd: Cannot connect to the Docker daemon at unix:///var/run/docker.sock');
    expect((await run('systemctl start docker')).exitCode).toBe(0);
    // cri-docker.socket has PartOf=cri-docker.service: stopping the service stops the socket too (systemd.unit(5)).
    expect((await run('systemctl stop cri-docker.service; systemctl is-active cri-docker.service cri-docker.socket')).stdout).toBe('inactive\ninactive');
    expect((await run('systemctl start cri-docker.socket; systemctl is-active cri-docker.service cri-docker.socket')).stdout).toBe('inactive\nactive');
    // The connection waits in the socket's backlog while systemd (the lab's holder) starts the service.
    const again = await run('crictl --runtime-endpoint unix:///var/run/cri-dockerd.sock version');
    expect(again.stdout).toContain('RuntimeName:  docker');
    expect(await until('systemctl is-active cri-docker.service', 'active')).toBe('active');
  }, 120_000);
});
