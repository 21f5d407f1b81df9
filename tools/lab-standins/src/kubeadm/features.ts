import { KubeadmError } from './kubeadm-error';

/** One kubeadm feature gate: the kubeadm minors that know it and its default there. */
interface GateSpec {
  /** First kubeadm minor (1.x) that accepts the gate. */
  readonly since: number;
  /** Last minor that accepts it (removed after), if any. */
  readonly until?: number;
  /** Default value per minor: the first entry whose `from` is <= the minor applies. */
  readonly defaults: readonly { readonly from: number; readonly value: boolean }[];
}

/** kubeadm's ControlPlaneKubeletLocalMode (KEP-4471): a control plane's kubelet talks to its own API server. */
export const CONTROL_PLANE_KUBELET_LOCAL_MODE = 'ControlPlaneKubeletLocalMode';

/**
 * kubeadm's InitFeatureGates (kubernetes/kubernetes cmd/kubeadm/app/features/features.go at
 * each release tag). ControlPlaneKubeletLocalMode: alpha, off, in v1.31-v1.32; beta and on
 * by default from v1.33 (kubernetes/kubernetes#129716, kubernetes/kubeadm#3154).
 */
const GATES: Readonly<Record<string, GateSpec>> = {
  // Known names only: the stand-in acts on ControlPlaneKubeletLocalMode alone, so the other
  // gates' defaults are not modelled (they change nothing the lab does).
  PublicKeysECDSA: { since: 19, defaults: [] },
  RootlessControlPlane: { since: 22, defaults: [] },
  EtcdLearnerMode: { since: 27, defaults: [] },
  WaitForAllControlPlaneComponents: { since: 30, defaults: [] },
  [CONTROL_PLANE_KUBELET_LOCAL_MODE]: { since: 31, defaults: [{ from: 33, value: true }, { from: 0, value: false }] },
  NodeLocalCRISocket: { since: 32, defaults: [] },
};

/** The minor of a version like "v1.33.2". */
export function minorOf(version: string): number {
  const minor = /^v?1\.(\d+)/.exec(version)?.[1];
  if (minor === undefined) throw new KubeadmError(`couldn't parse kubeadm version "${version}"`);
  return Number(minor);
}

/**
 * ClusterConfiguration.featureGates checked as kubeadm's ValidateFeatureGates does
 * (cmd/kubeadm/app/apis/kubeadm/validation/validation.go): every name must be one this
 * kubeadm knows, else `featureGates: Invalid value: map[...]: X is not a valid feature name.`
 */
export function validateFeatureGates(gates: Readonly<Record<string, boolean>>, kubeadmVersion: string): void {
  const minor = minorOf(kubeadmVersion);
  for (const name of Object.keys(gates).sort()) {
    const spec = GATES[name];
    if (spec === undefined || minor < spec.since || (spec.until !== undefined && minor > spec.until)) {
      const shown = Object.keys(gates).sort().map((k) => `"${k}":${String(gates[k])}`).join(', ');
      throw new KubeadmError(`featureGates: Invalid value: map[string]bool{${shown}}: ${name} is not a valid feature name.`);
    }
  }
}

/** features.Enabled: the configured value, else this kubeadm's default for the gate. */
export function featureEnabled(gates: Readonly<Record<string, boolean>>, name: string, kubeadmVersion: string): boolean {
  const set = gates[name];
  if (set !== undefined) return set;
  const minor = minorOf(kubeadmVersion);
  const spec = GATES[name];
  if (spec === undefined || minor < spec.since) return false;
  return spec.defaults.find((d) => minor >= d.from)?.value ?? false;
}

/**
 * The API server a control plane's kubelet.conf names. With ControlPlaneKubeletLocalMode on,
 * the node's own localAPIEndpoint (init: the kubeconfig phase, cmd/kubeadm/app/phases/kubeconfig;
 * join: cmd/kubeadm/app/cmd/phases/join/kubelet.go points the TLS bootstrap at it;
 * kubernetes/kubeadm#3243 shows v1.33.2 writing the node's IP:6443); else the shared endpoint.
 */
export function kubeletServerFor(gates: Readonly<Record<string, boolean>>, kubeadmVersion: string, local: { address: string; bindPort: number }, sharedEndpoint: string): string {
  const host = local.address.includes(':') ? `[${local.address}]` : local.address;
  return featureEnabled(gates, CONTROL_PLANE_KUBELET_LOCAL_MODE, kubeadmVersion) ? `https://${host}:${local.bindPort}` : `https://${sharedEndpoint}`;
}
