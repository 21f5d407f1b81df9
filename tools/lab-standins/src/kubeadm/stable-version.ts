/** The release label kubeadm defaults kubernetesVersion to (cmd/kubeadm/app/apis/kubeadm/v1beta4/defaults.go DefaultKubernetesVersion). */
export const DEFAULT_KUBERNETES_VERSION_LABEL = 'stable-1';

/**
 * What kubeadm does with a release label ("stable-1", "stable", "latest-1.33") and no uplink:
 * KubernetesReleaseVersion (cmd/kubeadm/app/util/version.go) fetches
 * https://dl.k8s.io/release/LABEL.txt, and when that fails logs two klog warnings and uses its
 * own client version. Lab hosts have no uplink, so the fetch always fails; the error is the
 * one a host without DNS for dl.k8s.io gets. An exact version ("v1.33.2", "1.33.2") is used
 * as is, with the "v" kubeadm adds.
 */
export function resolveKubernetesVersion(value: string, clientVersion: string): { version: string; warnings: string[] } {
  if (/^v?\d+\.\d+\.\d+([-+].*)?$/.test(value)) return { version: value.startsWith('v') ? value : `v${value}`, warnings: [] };
  const url = `https://dl.k8s.io/release/${value}.txt`;
  const day = new Date().toISOString().slice(5, 10).replace('-', '');
  return {
    version: clientVersion,
    warnings: [
      `W${day} could not fetch a Kubernetes version from the internet: unable to get URL "${url}": Get "${url}": dial tcp: lookup dl.k8s.io on 127.0.0.53:53: server misbehaving`,
      `W${day} falling back to the local client version: ${clientVersion}`,
    ],
  };
}
