import type { Action } from '../../plan';
import { planOf } from '../../plan';
import type { ContainerdConfigVersion } from '../../render/containerd-config';
import {
  CONTAINERD_KEY_PATHS,
  configVersionFor,
  missingSettings,
  parseOrUndefined,
  readPath,
  renderContainerdConfig,
} from '../../render/containerd-config';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import { criSocketFor } from '../common/cri-socket';
import type { DockerRepoFacts } from '../common/docker-repo';
import { dockerRepoActions, readDockerRepo } from '../common/docker-repo';
import type { PackageFamily } from '../common/packages';
import { installPackages, packageFamilyOf, refreshPackageLists } from '../common/packages';
import { probeVersion } from '../common/probe-version';
import type { ServiceState } from '../common/services';
import { keepRunning, serviceState, stateAfterInstall } from '../common/services';
import type { RunningRuntime } from '../common/running-runtime';
import { containerdServesCri, readRunningRuntime } from '../common/running-runtime';
import type { RuntimeContainerdParams } from './params';
import { containerdSource, runtimeContainerdParams } from './params';
import { sandboxImageFor, sandboxImageFromKubeadm } from './sandbox-image';

/** The CRI socket kubeadm's nodeRegistration.criSocket names for containerd. */
export const CONTAINERD_SOCKET = criSocketFor('containerd');

/** What runtime.containerd reads from the host. */
export interface RuntimeContainerdFacts {
  packages: PackageFamily;
  /** Installed containerd version, undefined when not installed. */
  containerdVersion: string | undefined;
  config: string | undefined;
  /** `containerd config default` of the installed containerd (a bare `version = 2` before install). */
  defaults: string;
  sandboxImage: string;
  /** Docker's repository, when containerd.io comes from it. */
  dockerRepo: DockerRepoFacts | undefined;
  service: ServiceState;
  /**
   * The running daemon, when it runs: whether its CRI plugin is loaded, and what its CRI
   * reports (undefined before kubernetes.packages installs cri-tools).
   */
  daemon: { criServed: boolean; running: RunningRuntime | undefined } | undefined;
}

/** Outputs of runtime.containerd, read back from the running daemon (and its config file). */
export interface RuntimeContainerdOutputs {
  containerdVersion: string;
  /** The schema version of the configuration file (2 or 3), as written, not as containerd migrated it. */
  configVersion: number;
  systemdCgroup: true;
  sandboxImage: string;
  criSocket: string;
  /** How the running daemon was checked: its CRI (crictl info), or `ctr plugins ls` before cri-tools is installed. */
  checkedThrough: 'crictl info' | 'ctr plugins ls';
}

/** containerd's API socket (the CRI is served on the same socket). */
const CONTAINERD_SOCKET_PATH = '/run/containerd/containerd.sock';

/** containerd set up for Kubernetes: systemd cgroups, CRI on, the matching sandbox image. */
export const runtimeContainerd: Step<RuntimeContainerdParams, RuntimeContainerdFacts, RuntimeContainerdOutputs> = {
  id: 'runtime.containerd',
  title: 'Install containerd and set it up for Kubernetes (systemd cgroups)',
  params: runtimeContainerdParams,

  async check(host, params) {
    const packages = packageFamilyOf(host.facts);
    const source = containerdSource(packages, params.source);
    if (packages === 'dnf' && source === 'distro' && host.facts.os.id !== 'fedora') {
      throw new StepFailure(
        'CHECK_FAILED',
        `${host.facts.os.prettyName || host.facts.os.id} has no containerd package in its own repositories. Fix: set source: docker or auto (containerd.io from Docker's repository).`,
      );
    }
    const containerdVersion = await containerdVersionOf(host);
    const service = await serviceState(host, 'containerd');
    const defaults = containerdVersion === undefined ? 'version = 2\n' : (await host.probe(['containerd', 'config', 'default'])).stdout;
    return {
      packages,
      containerdVersion,
      config: await host.readFile(params.configPath),
      defaults,
      sandboxImage: params.sandboxImage ?? (await sandboxImageOf(host, params.kubernetesVersion)),
      dockerRepo: source === 'docker' ? await readDockerRepo(host, packages) : undefined,
      service,
      daemon: service.active && containerdVersion !== undefined ? await readDaemon(host) : undefined,
    };
  },

  plan(facts, params) {
    const actions: Action[] = [];
    const installing = facts.containerdVersion === undefined;
    if (installing) {
      const name = containerdSource(facts.packages, params.source) === 'docker' ? 'containerd.io' : 'containerd';
      if (facts.dockerRepo !== undefined) actions.push(...dockerRepoActions(facts.packages, facts.dockerRepo));
      if (facts.packages === 'apt' && !actions.some((action) => action.kind === 'run' && action.argv[0] === 'apt-get')) {
        actions.push(refreshPackageLists(`find the ${name} package`));
      }
      actions.push(installPackages(facts.packages, [name], 'containerd is not installed'));
    }
    const version = wantedConfigVersion(facts);
    const settings = { version, sandboxImage: facts.sandboxImage };
    const current = facts.config === undefined ? undefined : parseOrUndefined(facts.config);
    const missing = current === undefined ? ['a configuration file'] : missingSettings(current, settings);
    const changed = missing.length > 0;
    if (changed) {
      actions.push({
        kind: 'write',
        path: params.configPath,
        content: renderContainerdConfig(facts.config, facts.defaults, settings),
        mode: 0o644,
        why: `containerd lacks ${missing.join(', ')}`,
      });
    }
    // apt's postinst has started containerd on the package's config by the time the file is
    // written (containerd.io's disables the CRI, Debian's runs runc with cgroupfs): restart it.
    const state = stateAfterInstall(facts.packages, installing, facts.service);
    const stale = staleDaemon(facts);
    actions.push(...keepRunning('containerd', state, changed || installing || stale !== undefined, 'restart'));
    const restart = actions.find((action) => action.kind === 'run' && action.argv[1] === 'restart');
    if (restart !== undefined && !changed && !installing && stale !== undefined) restart.why = stale;
    return planOf(
      actions,
      `containerd ${facts.containerdVersion} already running with SystemdCgroup = true, CRI enabled and sandbox ${facts.sandboxImage}`,
    );
  },

  async outputs(host, params, facts) {
    const containerdVersion = (await containerdVersionOf(host)) ?? 'unknown';
    const fix = `Fix: check ${params.configPath} and any imports it names, then systemctl restart containerd.`;
    // The file: what containerd loads at its next start.
    const dump = await host.probe(['containerd', '--config', params.configPath, 'config', 'dump']);
    const parsed = dump.exitCode === 0 ? parseOrUndefined(dump.stdout) : undefined;
    if (parsed === undefined) {
      throw new StepFailure('CHECK_FAILED', `containerd config dump failed: ${dump.stderr.trim().slice(-500)}. Fix: correct ${params.configPath}.`);
    }
    const paths = CONTAINERD_KEY_PATHS[configVersionFor(containerdVersion)];
    const fileCgroup = readPath(parsed, paths.systemdCgroup);
    const fileSandbox = readPath(parsed, paths.sandboxImage);
    if (fileCgroup !== true || fileSandbox !== facts.sandboxImage) {
      throw new StepFailure('CHECK_FAILED', `containerd config dump shows SystemdCgroup = ${String(fileCgroup)} and sandbox ${String(fileSandbox)} (wanted true and ${facts.sandboxImage}). ${fix}`);
    }
    // The daemon: what it runs with now, which is the file only if it was restarted since.
    if (!(await containerdServesCri(host, CONTAINERD_SOCKET_PATH))) {
      throw new StepFailure('CHECK_FAILED', `the running containerd has no CRI plugin loaded (ctr plugins ls lists no io.containerd.grpc.v1 cri ok): kubeadm's preflight would fail with [ERROR CRI]. ${fix}`);
    }
    const running = await readRunningRuntime(host, CONTAINERD_SOCKET, 'containerd');
    if (running !== undefined) {
      const problems = [
        running.runtimeReady ? undefined : 'its RuntimeReady condition is false',
        running.cgroupDriver === 'systemd' ? undefined : `runc runs with the ${running.cgroupDriver ?? 'unknown'} cgroup driver, not systemd (the kubelet's)`,
        running.sandboxImage === undefined || running.sandboxImage === facts.sandboxImage ? undefined : `its sandbox image is ${running.sandboxImage}, not ${facts.sandboxImage}`,
      ].filter((problem): problem is string => problem !== undefined);
      if (problems.length > 0) throw new StepFailure('CHECK_FAILED', `crictl info of the running containerd: ${problems.join('; ')}. ${fix}`);
    }
    // The file's own schema version: containerd 2.x dumps a version 2 file migrated to version 3.
    const fileVersion = parseOrUndefined((await host.readFile(params.configPath)) ?? '')?.['version'];
    return {
      containerdVersion,
      configVersion: Number(fileVersion ?? parsed['version'] ?? configVersionFor(containerdVersion)),
      systemdCgroup: true,
      sandboxImage: facts.sandboxImage,
      criSocket: CONTAINERD_SOCKET,
      checkedThrough: running === undefined ? 'ctr plugins ls' : 'crictl info',
    };
  },
};

async function readDaemon(host: HostReader): Promise<NonNullable<RuntimeContainerdFacts['daemon']>> {
  const criServed = await containerdServesCri(host, CONTAINERD_SOCKET_PATH);
  return { criServed, running: criServed ? await readRunningRuntime(host, CONTAINERD_SOCKET, 'containerd') : undefined };
}

/** Why the running daemon differs from what its (already right) file says, if it does. */
function staleDaemon(facts: RuntimeContainerdFacts): string | undefined {
  const daemon = facts.daemon;
  if (daemon === undefined) return undefined;
  if (!daemon.criServed) return 'the running containerd has its CRI plugin disabled (started on an older configuration)';
  if (daemon.running !== undefined && daemon.running.cgroupDriver !== 'systemd') return `the running containerd still uses the ${daemon.running.cgroupDriver ?? 'unknown'} cgroup driver (started on an older configuration)`;
  if (daemon.running?.sandboxImage !== undefined && daemon.running.sandboxImage !== facts.sandboxImage) return `the running containerd still uses sandbox ${daemon.running.sandboxImage} (started on an older configuration)`;
  return undefined;
}

/**
 * The configuration version to keep: 3 only when containerd 2.x is installed and the file
 * is not already a valid version 2 one (2.x still reads version 2, 1.x cannot read 3);
 * version 2 before installation, when the version is not known yet.
 */
function wantedConfigVersion(facts: RuntimeContainerdFacts): ContainerdConfigVersion {
  if (facts.containerdVersion === undefined) return 2;
  const native = configVersionFor(facts.containerdVersion);
  const current = facts.config === undefined ? undefined : parseOrUndefined(facts.config)?.['version'];
  return native === 3 && current === 2 ? 2 : native;
}

function containerdVersionOf(host: HostReader): Promise<string | undefined> {
  // "containerd github.com/containerd/containerd 1.6.20~ds1 ..." or "containerd containerd.io v2.1.3 <sha>"
  return probeVersion(host, ['containerd', '--version'], /\sv?(\d+\.\d+\.\d+[^\s]*)/);
}

async function sandboxImageOf(host: HostReader, kubernetesVersion: string): Promise<string> {
  const listed = await host.probe(['kubeadm', 'config', 'images', 'list', '--kubernetes-version', `v${kubernetesVersion}`]);
  return (listed.exitCode === 0 ? sandboxImageFromKubeadm(listed.stdout) : undefined) ?? sandboxImageFor(kubernetesVersion);
}
