import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';

/** kubeadm's files that tell what a node already is. */
export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
export const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

/** What kubeadm has already done on this host. */
export interface KubeadmNodeState {
  /** `kubeadm version -o short` without "v", undefined when kubeadm is missing. */
  kubeadmVersion: string | undefined;
  adminConf: boolean;
  kubeletConf: boolean;
  apiserverManifest: boolean;
  /** The API server URL in admin.conf or kubelet.conf, when one exists. */
  server: string | undefined;
}

/** Reads the node's kubeadm state. */
export async function readKubeadmState(host: HostReader): Promise<KubeadmNodeState> {
  const version = await host.probe(['kubeadm', 'version', '-o', 'short']);
  const admin = await host.readFile(ADMIN_CONF);
  const kubelet = await host.readFile(KUBELET_CONF);
  return {
    kubeadmVersion: version.exitCode === 0 ? parseKubeadmVersion(version.stdout) : undefined,
    adminConf: admin !== undefined,
    kubeletConf: kubelet !== undefined,
    apiserverManifest: await host.exists(APISERVER_MANIFEST),
    server: serverOf(admin ?? kubelet),
  };
}

/** CHECK_FAILED unless kubeadm is installed. */
export function requireKubeadm(state: KubeadmNodeState, stepId: string): void {
  if (state.kubeadmVersion === undefined) {
    throw new StepFailure('CHECK_FAILED', `kubeadm is not installed, so ${stepId} cannot run. Fix: run step kubernetes.packages first.`);
  }
}

/**
 * The node's kubeadm state, or CHECK_FAILED unless kubeadm is installed and the host is an
 * initialised control plane (it has admin.conf), for steps that talk to the cluster as admin.
 */
export async function requireControlPlane(host: HostReader, stepId: string): Promise<KubeadmNodeState> {
  const state = await readKubeadmState(host);
  requireKubeadm(state, stepId);
  if (!state.adminConf) {
    throw new StepFailure(
      'CHECK_FAILED',
      `${host.facts.hostName} is not an initialised control plane (no ${ADMIN_CONF}), so ${stepId} cannot run. Fix: run it on a control plane after kubeadm.init or kubeadm.join.`,
    );
  }
  return state;
}

/** The `server:` URL of a kubeconfig, if any. */
export function serverOf(kubeconfig: string | undefined): string | undefined {
  return kubeconfig === undefined ? undefined : /^\s*server:\s*(\S+)\s*$/m.exec(kubeconfig)?.[1];
}

/** "v1.33.2" (`-o short`) or the long form's GitVersion:"v1.33.2" → "1.33.2". */
export function parseKubeadmVersion(output: string): string | undefined {
  return /v?(\d+\.\d+\.\d+)/.exec(/GitVersion:"([^"]+)"/.exec(output)?.[1] ?? output.trim())?.[1];
}
