import type { PackageFamily } from '../common/packages';

/** Where the apt key of pkgs.k8s.io is kept (ASCII-armoured: apt reads .asc keyrings directly). */
export const K8S_APT_KEYRING = '/etc/apt/keyrings/kubernetes-apt-keyring.asc';
export const K8S_APT_SOURCE = '/etc/apt/sources.list.d/kubernetes.list';
export const K8S_DNF_REPO = '/etc/yum.repos.d/kubernetes.repo';

/** The packages kubeadm needs, held at one version. */
export const K8S_PACKAGES = ['kubelet', 'kubeadm', 'kubectl'] as const;

/**
 * crictl's package, which kumi needs itself (the runtime checks' `crictl info`, the drill's
 * `crictl ps`, the image pre-pull check). pkgs.k8s.io's kubeadm no longer brings it: kubeadm
 * 1.28–1.31 depend on cri-tools, 1.32 and later on nothing (kubernetes/release
 * cmd/krel/templates/latest/metadata.yaml, f618b2a3), so kumi installs it by name.
 */
export const CRI_TOOLS = 'cri-tools';

/** "1.33.2" → "v1.33": one pkgs.k8s.io repository per minor version. */
export function minorOf(kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.split('.');
  return `v${major}.${minor}`;
}

/** The repository URL for a family: ".../core:/stable:/v1.33/deb/" or ".../rpm/". */
export function repositoryUrl(base: string, kubernetesVersion: string, family: PackageFamily): string {
  return `${base.replace(/\/+$/, '')}/${minorOf(kubernetesVersion)}/${family === 'apt' ? 'deb' : 'rpm'}/`;
}

/** The apt source line (signed-by the kept key). */
export function aptSource(url: string): string {
  return `# Written by kumi (step kubernetes.packages).\ndeb [signed-by=${K8S_APT_KEYRING}] ${url} /\n`;
}

/** The dnf repo file; the exclude line is what holds the packages on the RHEL family. */
export function dnfRepo(url: string): string {
  return [
    '# Written by kumi (step kubernetes.packages).',
    '[kubernetes]',
    'name=Kubernetes',
    `baseurl=${url}`,
    'enabled=1',
    'gpgcheck=1',
    `gpgkey=${url}repodata/repomd.xml.key`,
    'exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni',
    '',
  ].join('\n');
}

/** Whether an installed package version is the wanted patch ("1.33.2-1.1", "1.33.2-150500.1.1"). */
export function isVersion(installed: string | undefined, kubernetesVersion: string): boolean {
  return installed !== undefined && installed.split(':').pop()!.startsWith(`${kubernetesVersion}-`);
}

/**
 * Whether an installed package is at least the minor of the Kubernetes version ("1.33.0-1.1"
 * for 1.33.2): cri-tools follows the Kubernetes minor, not its patch (v1.33 ships cri-tools 1.33.0).
 */
export function hasMinor(installed: string | undefined, kubernetesVersion: string): boolean {
  if (installed === undefined) return false;
  const [major, minor] = kubernetesVersion.split('.');
  return compareVersions(installed, `${major}.${minor}.0`) >= 0;
}

/** -1, 0 or 1 comparing the x.y.z parts of two versions. */
export function compareVersions(a: string, b: string): number {
  const parts = (value: string): number[] => (value.split(':').pop() ?? '').split('-')[0]!.split('.').map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}
