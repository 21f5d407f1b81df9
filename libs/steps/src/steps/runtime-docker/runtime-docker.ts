import { isDeepStrictEqual } from 'node:util';
import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { Step } from '../../step';
import { criSocketFor } from '../common/cri-socket';
import type { DockerRepoFacts } from '../common/docker-repo';
import { dockerRepoActions, readDockerRepo } from '../common/docker-repo';
import type { PackageFamily } from '../common/packages';
import { installCurl, installPackages, packageFamilyOf } from '../common/packages';
import { probeVersion } from '../common/probe-version';
import type { ServiceState } from '../common/services';
import { readRunningRuntime } from '../common/running-runtime';
import { enableNow, keepRunning, serviceState, stateAfterInstall } from '../common/services';
import type { RuntimeDockerParams } from './params';
import { runtimeDockerParams } from './params';

const DAEMON_JSON = '/etc/docker/daemon.json';
const DOWNLOADS = '/var/cache/kumi';

/** The daemon.json settings Kubernetes needs (systemd cgroup driver), as in the seed. */
export const DOCKER_DAEMON_SETTINGS = {
  'exec-opts': ['native.cgroupdriver=systemd'],
  'log-driver': 'json-file',
  'log-opts': { 'max-size': '100m' },
  'storage-driver': 'overlay2',
} as const;

/** What runtime.docker reads. */
export interface RuntimeDockerFacts {
  packages: PackageFamily;
  repo: DockerRepoFacts;
  dockerVersion: string | undefined;
  criDockerdVersion: string | undefined;
  /** daemon.json parsed; undefined when missing, null when unreadable. */
  daemonJson: Record<string, unknown> | null | undefined;
  docker: ServiceState;
  criDockerSocket: ServiceState;
}

/** Outputs of runtime.docker. */
export interface RuntimeDockerOutputs {
  dockerVersion: string;
  criDockerdVersion: string;
  cgroupDriver: string;
  criSocket: string;
  /** How cri-dockerd was checked: its CRI (crictl info), or not yet (kubernetes.packages installs cri-tools, after the runtime). */
  criChecked: boolean;
}

/** Docker Engine with the systemd cgroup driver plus cri-dockerd, for people who want Docker. */
export const runtimeDocker: Step<RuntimeDockerParams, RuntimeDockerFacts, RuntimeDockerOutputs> = {
  id: 'runtime.docker',
  title: 'Install Docker Engine and cri-dockerd for Kubernetes',
  params: runtimeDockerParams,

  async check(host) {
    const packages = packageFamilyOf(host.facts);
    const text = await host.readFile(DAEMON_JSON);
    return {
      packages,
      repo: await readDockerRepo(host, packages),
      dockerVersion: await probeVersion(host, ['dockerd', '--version'], /version (\d+\.\d+\.\d+)/i),
      criDockerdVersion: await probeVersion(host, ['cri-dockerd', '--version'], /cri-dockerd (\d+\.\d+\.\d+)/),
      daemonJson: text === undefined ? undefined : parseJson(text),
      docker: await serviceState(host, 'docker'),
      criDockerSocket: await serviceState(host, 'cri-docker.socket'),
    };
  },

  plan(facts, params) {
    const actions: Action[] = [];
    if (facts.dockerVersion === undefined) {
      actions.push(...dockerRepoActions(facts.packages, facts.repo));
      if (facts.packages === 'apt' && !actions.some((a) => a.kind === 'run' && a.argv[0] === 'apt-get')) actions.push({ kind: 'run', argv: ['apt-get', 'update'], why: 'find the Docker packages' });
      actions.push(installPackages(facts.packages, ['docker-ce', 'docker-ce-cli', 'containerd.io'], 'Docker Engine is not installed'));
    }
    const base = facts.daemonJson ?? {};
    const wanted = { ...base, ...DOCKER_DAEMON_SETTINGS };
    const daemonChanged = !isDeepStrictEqual(JSON.parse(JSON.stringify(wanted)), base);
    if (daemonChanged) {
      actions.push({ kind: 'write', path: DAEMON_JSON, content: `${JSON.stringify(wanted, null, 2)}\n`, why: facts.daemonJson === null ? 'daemon.json is not valid JSON' : 'Docker must use the systemd cgroup driver' });
    }
    // apt's postinst has started Docker with its default cgroupfs driver before daemon.json is written.
    const installing = facts.dockerVersion === undefined;
    const docker = keepRunning('docker', stateAfterInstall(facts.packages, installing, facts.docker), daemonChanged || installing, 'restart');
    actions.push(...docker);
    const { version, package: pkg } = params.criDockerd;
    if (facts.criDockerdVersion !== version) {
      const file = `${DOWNLOADS}/cri-dockerd-${version}.${facts.packages === 'apt' ? 'deb' : 'rpm'}`;
      const curlComing = actions.some((action) => action.kind === 'run' && action.argv.includes('curl') && action.argv.includes('ca-certificates'));
      if (!facts.repo.curl && !curlComing) actions.push(...installCurl(facts.packages));
      actions.push(
        { kind: 'run', argv: ['install', '-m', '0755', '-d', DOWNLOADS], why: 'download folder' },
        { kind: 'run', argv: ['curl', '-fsSL', '--proto', '=https', '-o', file, pkg.url], why: `download cri-dockerd ${version}` },
        { kind: 'run', argv: ['sha256sum', '--check', '--strict', '-'], stdin: `${pkg.sha256}  ${file}\n`, why: 'the download must match its pinned sha256' },
        installPackages(facts.packages, [file], `cri-dockerd ${facts.criDockerdVersion ?? 'missing'}; want ${version}`),
      );
    }
    if (!facts.criDockerSocket.enabled || !facts.criDockerSocket.active) {
      actions.push(enableNow('cri-docker.socket', `kubelet talks to Docker through ${criSocketFor('docker')}`));
    }
    // cri-dockerd reads Docker's cgroup driver once, when it starts (Mirantis/cri-dockerd
    // core/docker_service.go NewDockerService, v0.3.16): a running one restarts after Docker did.
    const dockerRestarted = docker.some((action) => action.argv[1] === 'restart' || action.argv[1] === 'start');
    if (dockerRestarted || facts.criDockerdVersion !== version) {
      actions.push({ kind: 'run', argv: ['systemctl', 'try-restart', 'cri-docker.service'], why: "cri-dockerd must read Docker's new cgroup driver" });
    }
    return planOf(actions, `Docker ${facts.dockerVersion} running with the systemd cgroup driver and cri-dockerd ${version}`);
  },

  async outputs(host, params) {
    const info = await host.probe(['docker', 'info', '--format', '{{.CgroupDriver}}']);
    const cgroupDriver = info.stdout.trim();
    if (info.exitCode !== 0 || cgroupDriver !== 'systemd') {
      throw new StepFailure('CHECK_FAILED', `docker info reports cgroup driver "${cgroupDriver || info.stderr.trim()}", not systemd. Fix: check ${DAEMON_JSON} and the docker unit's --exec-opt flags.`);
    }
    const running = await readRunningRuntime(host, criSocketFor('docker'), 'cri-dockerd');
    if (running !== undefined && !running.runtimeReady) {
      throw new StepFailure('CHECK_FAILED', `cri-dockerd answers on ${criSocketFor('docker')} but reports RuntimeReady false. Fix: systemctl status docker cri-docker.service.`);
    }
    return {
      dockerVersion: (await probeVersion(host, ['dockerd', '--version'], /version (\d+\.\d+\.\d+)/i)) ?? 'unknown',
      criDockerdVersion: (await probeVersion(host, ['cri-dockerd', '--version'], /cri-dockerd (\d+\.\d+\.\d+)/)) ?? params.criDockerd.version,
      cgroupDriver,
      criSocket: criSocketFor('docker'),
      criChecked: running !== undefined,
    };
  },
};

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
