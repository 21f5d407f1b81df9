import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import { criSocketFor } from '../common/cri-socket';
import type { PackageFamily } from '../common/packages';
import { curlInstalled, installCurl, installPackages, installedVersions, packageFamilyOf } from '../common/packages';
import { serviceState, systemctl } from '../common/services';
import type { KubernetesPackagesParams } from './params';
import { kubernetesPackagesParams } from './params';
import {
  K8S_APT_KEYRING,
  K8S_APT_SOURCE,
  K8S_DNF_REPO,
  CRI_TOOLS,
  K8S_PACKAGES,
  aptSource,
  compareVersions,
  dnfRepo,
  hasMinor,
  isVersion,
  minorOf,
  repositoryUrl,
} from './repository';

/** Left after a successful pre-pull when the runtime cannot be asked (no crictl). */
export const PULLED_MARKER_DIR = '/var/lib/kumi/images-pulled';

/**
 * The kubelet version kumi last restarted the kubelet on (restartKubelet): the running
 * kubelet is only visible through the API, so kumi records the restart it made.
 */
export const KUBELET_RESTARTED_MARKER = '/var/lib/kumi/kubelet-restarted';

/** What kubernetes.packages reads from the host. */
export interface KubernetesPackagesFacts {
  packages: PackageFamily;
  keyPresent: boolean;
  /** Whether curl is installed (it fetches the apt signing key). */
  curl: boolean;
  source: string | undefined;
  /** kubelet, kubeadm, kubectl and cri-tools: installed version, undefined when absent. */
  versions: Record<string, string | undefined>;
  /** apt: packages on hold; dnf: the repo's exclude line does the holding. */
  held: string[];
  kubeletEnabled: boolean;
  /** RHEL: `getenforce` output ("Enforcing", "Permissive", "Disabled"), undefined elsewhere. */
  selinux: string | undefined;
  selinuxConfig: string | undefined;
  /** Control-plane images missing from the runtime; undefined when it cannot be told. */
  missingImages: string[] | undefined;
  pulledMarker: boolean;
  /** The version in KUBELET_RESTARTED_MARKER, when kumi restarted the kubelet before. */
  kubeletRestartedOn: string | undefined;
}

/** Outputs of kubernetes.packages: the versions found after the run. */
export interface KubernetesPackagesOutputs {
  kubelet: string;
  kubeadm: string;
  kubectl: string;
  repository: string;
}

/**
 * kubelet, kubeadm and kubectl from pkgs.k8s.io, pinned to the exact patch and held; cri-tools
 * (crictl) from the same minor repository, which kubeadm 1.32+ no longer depends on.
 */
export const kubernetesPackages: Step<KubernetesPackagesParams, KubernetesPackagesFacts, KubernetesPackagesOutputs> = {
  id: 'kubernetes.packages',
  title: 'Install kubelet, kubeadm and kubectl pinned and held',
  params: kubernetesPackagesParams,

  async check(host, params) {
    const packages = packageFamilyOf(host.facts);
    const versions = await installedVersions(host, packages, [...K8S_PACKAGES, CRI_TOOLS]);
    for (const name of K8S_PACKAGES) {
      const found = versions[name];
      if (found !== undefined && compareVersions(found, params.kubernetesVersion) > 0) {
        throw new StepFailure(
          'CHECK_FAILED',
          `${name} ${found} is newer than the wanted ${params.kubernetesVersion}; kumi never downgrades (the kubelet must not be newer than the API server). Fix: set kubernetesVersion to ${found.split('-')[0]} or reset this host.`,
        );
      }
    }
    const selinux = packages === 'dnf' ? await getenforce(host) : undefined;
    const kubeadmReady = isVersion(versions['kubeadm'], params.kubernetesVersion);
    return {
      packages,
      keyPresent: packages === 'dnf' || (await host.exists(K8S_APT_KEYRING)),
      curl: await curlInstalled(host),
      source: await host.readFile(packages === 'apt' ? K8S_APT_SOURCE : K8S_DNF_REPO),
      versions,
      held: packages === 'apt' ? (await host.probe(['apt-mark', 'showhold'])).stdout.split('\n').map((line) => line.trim()).filter(Boolean) : [],
      kubeletEnabled: (await serviceState(host, 'kubelet')).enabled,
      selinux,
      selinuxConfig: selinux === undefined ? undefined : await host.readFile('/etc/selinux/config'),
      missingImages: params.prePullImages && kubeadmReady ? await missingImages(host, params) : undefined,
      pulledMarker: await host.exists(`${PULLED_MARKER_DIR}/v${params.kubernetesVersion}`),
      kubeletRestartedOn: (await host.readFile(KUBELET_RESTARTED_MARKER))?.trim() || undefined,
    };
  },

  plan(facts, params) {
    const actions: Action[] = [];
    const url = repositoryUrl(params.repositoryBase, params.kubernetesVersion, facts.packages);
    if (facts.selinux === 'Enforcing') {
      actions.push({ kind: 'run', argv: ['setenforce', '0'], why: 'SELinux permissive, as the kubeadm install guide does' });
    }
    if (facts.selinuxConfig !== undefined && /^SELINUX=enforcing\s*$/m.test(facts.selinuxConfig)) {
      actions.push({ kind: 'write', path: '/etc/selinux/config', content: facts.selinuxConfig.replace(/^SELINUX=enforcing\s*$/m, 'SELINUX=permissive'), why: 'keep SELinux permissive after reboots' });
    }
    const wantedSource = facts.packages === 'apt' ? aptSource(url) : dnfRepo(url);
    const sourceChanged = facts.source !== wantedSource;
    if (facts.packages === 'apt' && (!facts.keyPresent || !(facts.source ?? '').includes(url))) {
      if (!facts.curl) actions.push(...installCurl(facts.packages));
      actions.push(
        { kind: 'run', argv: ['install', '-m', '0755', '-d', '/etc/apt/keyrings'], why: 'apt keyrings folder' },
        { kind: 'run', argv: ['curl', '-fsSL', '--proto', '=https', '-o', K8S_APT_KEYRING, `${url}Release.key`], why: 'the pkgs.k8s.io signing key' },
      );
    }
    if (sourceChanged) {
      actions.push({ kind: 'write', path: facts.packages === 'apt' ? K8S_APT_SOURCE : K8S_DNF_REPO, content: wantedSource, why: `the pkgs.k8s.io repository for ${url.split('/').at(-3)}` });
    }
    const managed = params.packages;
    const wrong = managed.filter((name) => !isVersion(facts.versions[name], params.kubernetesVersion));
    // apt: a held package is unheld before it moves and held again after (the upgrade guide's apt-mark unhold / hold).
    const heldToMove = facts.packages === 'apt' ? wrong.filter((name) => facts.held.includes(name) && facts.versions[name] !== undefined) : [];
    if (heldToMove.length > 0) actions.push({ kind: 'run', argv: ['apt-mark', 'unhold', ...heldToMove], why: `${heldToMove.join(', ')} move to ${params.kubernetesVersion}` });
    // cri-tools: whatever patch the minor's repository has (cri-tools is versioned per minor,
    // 1.33.0 for every 1.33.x), so pinned to the minor only. Not held on apt: each pkgs.k8s.io
    // repository serves one minor, so `apt upgrade` can only move it to a newer patch of the
    // same minor, and crictl is a client nothing else is upgraded in step with. On dnf the repo's
    // exclude line (the install guide's) keeps it out of `dnf upgrade` like the others. It moves
    // to a new minor with the first entry of an upgrade (kubeadm, as its dependency used to);
    // a newer one is left alone (a client; kumi never downgrades).
    const criToolsMissing = !hasMinor(facts.versions[CRI_TOOLS], params.kubernetesVersion);
    if (wrong.length > 0 || criToolsMissing) {
      if (facts.packages === 'apt') actions.push({ kind: 'run', argv: ['apt-get', 'update'], why: 'read the Kubernetes repository' });
      const minor = minorOf(params.kubernetesVersion).slice(1);
      const specs = [
        ...(wrong.length > 0 ? managed.map((name) => (facts.packages === 'apt' ? `${name}=${params.kubernetesVersion}-*` : `${name}-${params.kubernetesVersion}`)) : []),
        ...(criToolsMissing ? [facts.packages === 'apt' ? `${CRI_TOOLS}=${minor}.*` : `${CRI_TOOLS}-${minor}.*`] : []),
      ];
      const moving = [...wrong, ...(criToolsMissing ? [CRI_TOOLS] : [])];
      actions.push(installPackages(facts.packages, specs, `${moving.map((name) => `${name} ${facts.versions[name] ?? 'missing'}`).join(', ')}; want ${params.kubernetesVersion}`, facts.packages === 'dnf' ? ['--disableexcludes=kubernetes'] : []));
    }
    const unheld = facts.packages === 'apt' ? managed.filter((name) => !facts.held.includes(name) || heldToMove.includes(name)) : [];
    if (unheld.length > 0) actions.push({ kind: 'run', argv: ['apt-mark', 'hold', ...managed], why: `hold ${unheld.join(', ')} so upgrades never move them` });
    if (!facts.kubeletEnabled) actions.push(systemctl('enable', 'kubelet', 'the kubelet starts at boot (it waits for kubeadm until then)'));
    const needPull = params.prePullImages && (facts.missingImages === undefined ? !facts.pulledMarker || wrong.length > 0 : facts.missingImages.length > 0);
    if (needPull) {
      actions.push(
        { kind: 'run', argv: ['kubeadm', 'config', 'images', 'pull', '--kubernetes-version', `v${params.kubernetesVersion}`, '--cri-socket', criSocketFor(params.runtime)], why: 'pre-pull the control-plane images' },
        { kind: 'write', path: `${PULLED_MARKER_DIR}/v${params.kubernetesVersion}`, content: `${params.kubernetesVersion}\n`, why: 'remember the pull when the runtime cannot be asked' },
      );
    }
    const restart = params.restartKubelet && managed.includes('kubelet') && (wrong.includes('kubelet') || facts.kubeletRestartedOn !== params.kubernetesVersion);
    if (restart) {
      actions.push(
        systemctl('daemon-reload', undefined, 'the kubelet package may have changed its unit files'),
        systemctl('restart', 'kubelet', `run the installed kubelet ${params.kubernetesVersion}`),
        { kind: 'write', path: KUBELET_RESTARTED_MARKER, content: `${params.kubernetesVersion}\n`, why: 'remember which kubelet runs now' },
      );
    }
    const names = managed.length === K8S_PACKAGES.length ? 'kubelet, kubeadm and kubectl' : managed.join(' and ');
    return planOf(
      actions,
      `${names} ${params.kubernetesVersion} (and cri-tools ${minorOf(params.kubernetesVersion).slice(1)}) installed from ${url}, held, kubelet enabled${params.prePullImages ? ', images pulled' : ''}${params.restartKubelet && managed.includes('kubelet') ? ', kubelet restarted on it' : ''}`,
    );
  },

  async outputs(host, params) {
    const packages = packageFamilyOf(host.facts);
    const versions = await installedVersions(host, packages, K8S_PACKAGES);
    return {
      kubelet: versions['kubelet'] ?? '',
      kubeadm: versions['kubeadm'] ?? '',
      kubectl: versions['kubectl'] ?? '',
      repository: repositoryUrl(params.repositoryBase, params.kubernetesVersion, packages),
    };
  },
};

async function getenforce(host: HostReader): Promise<string | undefined> {
  const result = await host.probe(['getenforce']);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Images kubeadm needs that the runtime lacks, or undefined when crictl cannot tell. */
async function missingImages(host: HostReader, params: KubernetesPackagesParams): Promise<string[] | undefined> {
  const listed = await host.probe(['kubeadm', 'config', 'images', 'list', '--kubernetes-version', `v${params.kubernetesVersion}`]);
  const present = await host.probe(['crictl', '--runtime-endpoint', criSocketFor(params.runtime), 'images', '-o', 'json']);
  if (listed.exitCode !== 0 || present.exitCode !== 0) return undefined;
  const tags = new Set(
    ((JSON.parse(present.stdout) as { images?: { repoTags?: string[] }[] }).images ?? []).flatMap((image) => image.repoTags ?? []),
  );
  return listed.stdout.split('\n').map((line) => line.trim()).filter((image) => image.length > 0 && !tags.has(image));
}
