import type { StepCases } from '../../contract/step-contract';
import { DOCKER_DAEMON_SETTINGS, runtimeDocker } from './runtime-docker';

const params = {
  kubernetesVersion: '1.33.2',
  criDockerd: { version: '0.3.16', package: { url: 'https://github.com/Mirantis/cri-dockerd/releases/download/v0.3.16/cri-dockerd_0.3.16.3-0.debian-bookworm_amd64.deb', sha256: 'ab'.repeat(32) } },
};
const running = { active: true, enabled: true };
const settled = {
  packages: 'apt',
  repo: { keyPresent: true, source: 'x', wanted: 'x', distro: 'debian', curl: true },
  dockerVersion: '27.3.1',
  criDockerdVersion: '0.3.16',
  daemonJson: { ...DOCKER_DAEMON_SETTINGS },
  docker: running,
  criDockerSocket: running,
};

/**
 * runtime.docker (Debian): no Docker repository, engine or cri-dockerd; all running with the
 * systemd cgroup driver; daemon.json rewritten by hand since without it (rewrite, restart
 * Docker, then cri-dockerd that reads Docker's driver once).
 */
export const contract: StepCases = {
  step: runtimeDocker,
  firstRun: {
    params,
    facts: { ...settled, repo: { keyPresent: false, source: undefined, wanted: 'deb ...', distro: 'debian', curl: true }, dockerVersion: undefined, criDockerdVersion: undefined, daemonJson: undefined, docker: { active: false, enabled: false }, criDockerSocket: { active: false, enabled: false } },
  },
  noop: { params, facts: settled },
  drift: { params, facts: { ...settled, daemonJson: { 'log-driver': 'json-file' } } },
};
