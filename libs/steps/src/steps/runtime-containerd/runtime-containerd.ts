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
import { keepRunning, serviceState } from '../common/services';
import type { RuntimeContainerdParams } from './params';
import { runtimeContainerdParams } from './params';
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
}

/** Outputs of runtime.containerd, read back from `containerd config dump`. */
export interface RuntimeContainerdOutputs {
  containerdVersion: string;
  configVersion: number;
  systemdCgroup: true;
  sandboxImage: string;
  criSocket: string;
}

/** containerd set up for Kubernetes: systemd cgroups, CRI on, the matching sandbox image. */
export const runtimeContainerd: Step<RuntimeContainerdParams, RuntimeContainerdFacts, RuntimeContainerdOutputs> = {
  id: 'runtime.containerd',
  title: 'Install containerd and set it up for Kubernetes (systemd cgroups)',
  params: runtimeContainerdParams,

  async check(host, params) {
    const packages = packageFamilyOf(host.facts);
    if (packages === 'dnf' && params.source === 'distro' && host.facts.os.id !== 'fedora') {
      throw new StepFailure(
        'CHECK_FAILED',
        `${host.facts.os.prettyName || host.facts.os.id} has no containerd package in its own repositories. Fix: set source: docker (containerd.io from Docker's repository).`,
      );
    }
    const containerdVersion = await containerdVersionOf(host);
    const defaults = containerdVersion === undefined ? 'version = 2\n' : (await host.probe(['containerd', 'config', 'default'])).stdout;
    return {
      packages,
      containerdVersion,
      config: await host.readFile(params.configPath),
      defaults,
      sandboxImage: params.sandboxImage ?? (await sandboxImageOf(host, params.kubernetesVersion)),
      dockerRepo: params.source === 'docker' ? await readDockerRepo(host, packages) : undefined,
      service: await serviceState(host, 'containerd'),
    };
  },

  plan(facts, params) {
    const actions: Action[] = [];
    if (facts.containerdVersion === undefined) {
      const name = params.source === 'docker' ? 'containerd.io' : 'containerd';
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
    actions.push(...keepRunning('containerd', facts.service, changed, 'restart'));
    return planOf(
      actions,
      `containerd ${facts.containerdVersion} already running with SystemdCgroup = true, CRI enabled and sandbox ${facts.sandboxImage}`,
    );
  },

  async outputs(host, params, facts) {
    const containerdVersion = (await containerdVersionOf(host)) ?? 'unknown';
    const dump = await host.probe(['containerd', '--config', params.configPath, 'config', 'dump']);
    const parsed = dump.exitCode === 0 ? parseOrUndefined(dump.stdout) : undefined;
    if (parsed === undefined) {
      throw new StepFailure('CHECK_FAILED', `containerd config dump failed: ${dump.stderr.trim().slice(-500)}. Fix: correct ${params.configPath}.`);
    }
    const native = configVersionFor(containerdVersion);
    const paths = CONTAINERD_KEY_PATHS[native];
    const systemdCgroup = readPath(parsed, paths.systemdCgroup);
    const sandboxImage = readPath(parsed, paths.sandboxImage);
    if (systemdCgroup !== true || sandboxImage !== facts.sandboxImage) {
      throw new StepFailure(
        'CHECK_FAILED',
        `containerd config dump shows SystemdCgroup = ${String(systemdCgroup)} and sandbox ${String(sandboxImage)} ` +
          `(wanted true and ${facts.sandboxImage}). Fix: check ${params.configPath} and any imports it names.`,
      );
    }
    return { containerdVersion, configVersion: Number(parsed['version'] ?? native), systemdCgroup: true, sandboxImage, criSocket: CONTAINERD_SOCKET };
  },
};

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
