/**
 * The pause image kubeadm uses per Kubernetes minor version (`kubeadm config images
 * list`), for when kubeadm is not installed yet.
 */
const PAUSE_TAG_BY_MINOR: ReadonlyArray<readonly [number, string]> = [
  [34, '3.10.1'],
  [31, '3.10'],
  [27, '3.9'],
  [26, '3.9'],
  [25, '3.8'],
];

/** registry.k8s.io/pause with the tag kubeadm expects for this Kubernetes version. */
export function sandboxImageFor(kubernetesVersion: string): string {
  const minor = Number(kubernetesVersion.split('.')[1]);
  const tag = PAUSE_TAG_BY_MINOR.find(([from]) => minor >= from)?.[1] ?? '3.8';
  return `registry.k8s.io/pause:${tag}`;
}

/** The pause image in `kubeadm config images list` output, if any. */
export function sandboxImageFromKubeadm(imagesList: string): string | undefined {
  return imagesList
    .split('\n')
    .map((line) => line.trim())
    .find((line) => /\/pause:[\w.-]+$/.test(line));
}
