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
