import { parse } from 'yaml';
import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';

/**
 * What `kubeadm upgrade` reads from and writes to the cluster: the ClusterConfiguration in
 * ConfigMap kube-system/kubeadm-config (its kubernetesVersion is the control plane's
 * version once `kubeadm upgrade apply` uploaded it, in its upload-config phase after the
 * static pods; kubernetes/kubernetes cmd/kubeadm/app/phases/upgrade/postupgrade.go) and the
 * KubeletConfiguration in ConfigMap kube-system/kubelet-config that `kubeadm upgrade node`
 * writes to /var/lib/kubelet/config.yaml (cmd/kubeadm/app/cmd/phases/upgrade/node/kubeletconfig.go).
 */
export const KUBELET_CONFIG_FILE = '/var/lib/kubelet/config.yaml';

/** The static pods `kubeadm upgrade` rewrites (cmd/kubeadm/app/constants ControlPlaneComponents), as manifest paths. */
export const CONTROL_PLANE_MANIFESTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((name) => `/etc/kubernetes/manifests/${name}.yaml`);

async function configMapData(host: HostReader, kubeconfig: string, name: string, stepId: string): Promise<Record<string, string>> {
  const result = await host.probe(['kubectl', '--kubeconfig', kubeconfig, '-n', 'kube-system', 'get', 'configmap', name, '-o', 'json']);
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').slice(-2).join(' ') || `kubectl exited ${result.exitCode}`;
    throw new StepFailure('CHECK_FAILED', `${stepId} could not read ConfigMap kube-system/${name} through ${kubeconfig}: ${why}. Fix: check that the API answers (kumi verify) and run it again.`);
  }
  return (JSON.parse(result.stdout) as { data?: Record<string, string> }).data ?? {};
}

/** kubeadm-config's ClusterConfiguration kubernetesVersion without "v" (e.g. "1.33.2"). */
export async function readClusterVersion(host: HostReader, kubeconfig: string, stepId: string): Promise<string> {
  const data = await configMapData(host, kubeconfig, 'kubeadm-config', stepId);
  const version = (parse(data['ClusterConfiguration'] ?? '') as { kubernetesVersion?: string } | null)?.kubernetesVersion;
  if (!version) throw new StepFailure('CHECK_FAILED', `ConfigMap kube-system/kubeadm-config has no ClusterConfiguration kubernetesVersion, so ${stepId} cannot tell the cluster's version. Fix: was this cluster built by kubeadm?`);
  return version.replace(/^v/, '');
}

/** The KubeletConfiguration of ConfigMap kube-system/kubelet-config, parsed. */
export async function readClusterKubeletConfig(host: HostReader, kubeconfig: string, stepId: string): Promise<unknown> {
  return parse((await configMapData(host, kubeconfig, 'kubelet-config', stepId))['kubelet'] ?? '') as unknown;
}

/** The image tag of a static pod manifest's first container without "v", or undefined when it has none. */
export function manifestImageVersion(manifest: string): string | undefined {
  const pod = parse(manifest) as { spec?: { containers?: { image?: string }[] } } | null;
  const image = pod?.spec?.containers?.[0]?.image;
  return image === undefined ? undefined : /:v?(\d+\.\d+\.\d+)$/.exec(image)?.[1];
}

/** Whether two YAML documents hold the same data (key order and formatting aside). */
export function sameYamlData(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  return value;
}
