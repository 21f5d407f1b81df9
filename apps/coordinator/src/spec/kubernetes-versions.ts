/**
 * Kubernetes minor versions kumi builds clusters for. Each has its own pkgs.k8s.io
 * repository; kubeadm config v1beta4 is used from 1.31 on, v1beta3 before.
 */
export const SUPPORTED_KUBERNETES_MINORS = ['1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36'] as const;

/** An exact Kubernetes patch version, e.g. "1.33.2" (no leading "v", no suffix). */
export const KUBERNETES_VERSION_PATTERN = /^(\d+)\.(\d+)\.(\d+)$/;

/** The "1.33" of "1.33.2", or undefined when the text is not an exact patch version. */
export function kubernetesMinor(version: string): string | undefined {
  const match = KUBERNETES_VERSION_PATTERN.exec(version);
  return match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
}

/** Why kumi cannot build this version, or undefined when it can. */
export function unsupportedVersionReason(version: string): string | undefined {
  const minor = kubernetesMinor(version);
  if (minor === undefined) return `"${version}" is not an exact patch version like 1.33.2`;
  if (!(SUPPORTED_KUBERNETES_MINORS as readonly string[]).includes(minor)) {
    return `Kubernetes ${minor} is not supported by kumi (supported: ${SUPPORTED_KUBERNETES_MINORS.join(', ')})`;
  }
  return undefined;
}

/** -1, 0 or 1 comparing two exact patch versions ("1.32.2" < "1.33.0"). */
export function compareKubernetesVersions(a: string, b: string): number {
  const parts = (version: string) => version.split('.').map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/**
 * Why kumi refuses to upgrade a cluster at `from` to `to`, with the path to take, or
 * undefined when the step is allowed. kubeadm upgrades the control plane at most one minor
 * at a time (kubernetes/kubernetes cmd/kubeadm/app/phases/upgrade/policy.go,
 * MaximumAllowedMinorVersionUpgradeSkew = 1, "Specified version to upgrade to ... is too
 * high; kubeadm can upgrade only 1 minor version at a time"). kubeadm would downgrade one
 * minor; kumi never downgrades (its packages step refuses a kubelet newer than wanted, and
 * etcd data written by a newer API server may not be readable by an older one).
 */
export function upgradeRefusal(from: string, to: string): string | undefined {
  const [fromMajor, fromMinor] = from.split('.').map(Number) as [number, number];
  const [toMajor, toMinor] = to.split('.').map(Number) as [number, number];
  if (compareKubernetesVersions(to, from) < 0) {
    return `the cluster runs Kubernetes ${from} and the spec asks for ${to}: kumi does not downgrade. Fix: set kubernetes.version back to "${from}" (or a newer patch), or rebuild the cluster at ${to} (kumi reset, then kumi up)`;
  }
  if (toMajor !== fromMajor || toMinor > fromMinor + 1) {
    const path: string[] = [];
    for (let minor = fromMinor + 1; minor <= toMinor && toMajor === fromMajor; minor += 1) path.push(`${fromMajor}.${minor}`);
    const steps = path.map((minor, index) => `${index === 0 ? 'upgrade to' : 'then'} ${minor}`).join(', ');
    return `the cluster runs Kubernetes ${from} and the spec asks for ${to}: kubeadm upgrades one minor version at a time. Fix: ${steps || `upgrade within ${fromMajor}.x`} (set kubernetes.version to the newest patch of each minor and run kumi upgrade once per minor)`;
  }
  return undefined;
}
