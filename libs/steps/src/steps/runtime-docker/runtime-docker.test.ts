import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { dockerRepoContent } from '../common/docker-repo';
import { runtimeDockerParams } from './params';
import type { RuntimeDockerFacts } from './runtime-docker';
import { DOCKER_DAEMON_SETTINGS, runtimeDocker } from './runtime-docker';

const sha = 'ab'.repeat(32);
const params = runtimeDockerParams.parse({
  kubernetesVersion: '1.33.2',
  criDockerd: { version: '0.3.16', package: { url: 'https://github.com/Mirantis/cri-dockerd/releases/download/v0.3.16/cri-dockerd_0.3.16.3-0.debian-bookworm_amd64.deb', sha256: sha } },
});
const running = { active: true, enabled: true };
const settled: RuntimeDockerFacts = {
  packages: 'apt',
  repo: { keyPresent: true, source: 'x', wanted: 'x', distro: 'debian', curl: true },
  dockerVersion: '27.3.1',
  criDockerdVersion: '0.3.16',
  daemonJson: { ...DOCKER_DAEMON_SETTINGS },
  docker: running,
  criDockerSocket: running,
};
const lines = (facts: RuntimeDockerFacts): string[] => runtimeDocker.plan(facts, params, {}).actions.map((a) => describeAction(a).split('  #')[0] ?? '');

describe('runtime.docker plan', () => {
  it("Debian first run: Docker's repository, engine, daemon.json, cri-dockerd checked by sha256 on stdin, socket", () => {
    const fresh: RuntimeDockerFacts = { ...settled, repo: { keyPresent: false, source: undefined, wanted: 'deb ...', distro: 'debian', curl: true }, dockerVersion: undefined, criDockerdVersion: undefined, daemonJson: undefined, docker: { active: false, enabled: false }, criDockerSocket: { active: false, enabled: false } };
    const plan = runtimeDocker.plan(fresh, params, {});
    expect(plan.actions.map((a) => describeAction(a).split('  #')[0])).toEqual([
      'run install -m 0755 -d /etc/apt/keyrings',
      'run curl -fsSL --proto =https -o /etc/apt/keyrings/docker.asc https://download.docker.com/linux/debian/gpg',
      'write /etc/apt/sources.list.d/docker.list',
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages docker-ce docker-ce-cli containerd.io',
      'write /etc/docker/daemon.json',
      // docker-ce's postinst has started dockerd with the cgroupfs driver: restart it.
      'run systemctl restart docker',
      'run install -m 0755 -d /var/cache/kumi',
      `run curl -fsSL --proto =https -o /var/cache/kumi/cri-dockerd-0.3.16.deb ${params.criDockerd.package.url}`,
      'run sha256sum --check --strict -',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages /var/cache/kumi/cri-dockerd-0.3.16.deb',
      'run systemctl enable --now cri-docker.socket',
      'run systemctl try-restart cri-docker.service',
    ]);
    const verify = plan.actions[9];
    expect(verify?.kind === 'run' && verify.stdin).toBe(`${sha}  /var/cache/kumi/cri-dockerd-0.3.16.deb\n`);
    const daemon = plan.actions[5];
    expect(plan.actions[6]?.why).toBe('docker must pick up its new configuration');
    expect(JSON.parse(daemon?.kind === 'write' ? String(daemon.content) : '{}')).toEqual(DOCKER_DAEMON_SETTINGS);
  });

  it('RHEL first run: dnf starts nothing (presets), so enable and start Docker', () => {
    const fresh: RuntimeDockerFacts = { ...settled, packages: 'dnf', repo: { keyPresent: true, source: undefined, wanted: 'repo', distro: 'rhel', curl: true }, dockerVersion: undefined, criDockerdVersion: undefined, daemonJson: undefined, docker: { active: false, enabled: false }, criDockerSocket: { active: false, enabled: false } };
    expect(lines(fresh).filter((line) => line.includes('systemctl'))).toEqual([
      'run systemctl enable docker',
      'run systemctl start docker',
      'run systemctl enable --now cri-docker.socket',
      'run systemctl try-restart cri-docker.service',
    ]);
  });

  it('second run is a noop on both families', () => {
    for (const packages of ['apt', 'dnf'] as const) expect(lines({ ...settled, packages })).toEqual([]);
    expect(runtimeDocker.plan(settled, params, {}).noop).toBe('Docker 27.3.1 running with the systemd cgroup driver and cri-dockerd 0.3.16');
  });

  it('drift: cgroupfs driver set by hand is replaced (other keys kept) and Docker restarted, nothing else', () => {
    const plan = runtimeDocker.plan({ ...settled, daemonJson: { ...DOCKER_DAEMON_SETTINGS, 'exec-opts': ['native.cgroupdriver=cgroupfs'], 'data-root': '/srv/docker' } }, params, {});
    expect(plan.actions.map((a) => describeAction(a).split('  #')[0])).toEqual([
      'write /etc/docker/daemon.json',
      'run systemctl restart docker',
      // cri-dockerd read the old driver from docker info when it started.
      'run systemctl try-restart cri-docker.service',
    ]);
    const written = plan.actions[0]?.kind === 'write' ? JSON.parse(String(plan.actions[0].content)) : {};
    expect(written).toEqual({ ...DOCKER_DAEMON_SETTINGS, 'data-root': '/srv/docker' });
  });

  it('check reads the RHEL repo file and versions', async () => {
    const host = fakeHost(rhelFacts, { '/etc/docker/daemon.json': JSON.stringify(DOCKER_DAEMON_SETTINGS) }, {
      'dockerd --version': 'Docker version 27.3.1, build 41ca978\n',
      'cri-dockerd --version': { stderr: 'cri-dockerd 0.3.16 (7119864)\n' },
    });
    const facts = await runtimeDocker.check(host, params, {});
    expect(facts).toMatchObject({ packages: 'dnf', dockerVersion: '27.3.1', criDockerdVersion: '0.3.16', daemonJson: DOCKER_DAEMON_SETTINGS });
    expect(facts.repo.wanted).toBe(dockerRepoContent(rhelFacts, 'dnf'));
    expect(facts.repo.wanted).toContain('baseurl=https://download.docker.com/linux/rhel/$releasever/$basearch/stable');
  });

  it.each([
    ['parsed', 'Docker version 27.3.1, build 41ca978\n', '27.3.1', false],
    ['unparsed but installed', 'Docker Engine nightly-build\n', 'unknown', false],
    ['not installed', { exitCode: 127, stderr: 'dockerd: not found' }, undefined, true],
  ] as const)('dockerd --version %s → dockerVersion %s; Docker installed again: %s', async (_case, answer, version, installs) => {
    const host = fakeHost(rhelFacts, { '/etc/docker/daemon.json': JSON.stringify(DOCKER_DAEMON_SETTINGS) }, { 'dockerd --version': answer });
    const facts = await runtimeDocker.check(host, params, {});
    expect(facts.dockerVersion).toBe(version);
    expect(lines(facts).some((line) => line.includes('docker-ce'))).toBe(installs);
  });
});
