import { X509Certificate } from 'node:crypto';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { loadKubeconfig } from '../common/kubeconfig';
import { KubeadmError } from './kubeadm-error';

/**
 * This node's name as `kubeadm upgrade` finds it: the CN `system:node:<name>` of the client
 * certificate in kubelet.conf's current context (kubernetes/kubernetes
 * cmd/kubeadm/app/util/config/cluster.go getNodeNameFromKubeletConfig, v1.28-v1.34).
 */
export function nodeNameFromKubeletConfig(host: HostEnv): string {
  const fail = (why: string): KubeadmError => new KubeadmError(`[upgrade/init config] FATAL: failed to get node registration: failed to get node name from kubelet config: ${why}`);
  let pem: string | undefined;
  try {
    pem = loadKubeconfig(hostPath(host, KubePaths.kubeletConf)).clientCertPem;
  } catch (err) {
    throw fail((err as Error).message);
  }
  if (pem === undefined) throw fail('invalid kubeconfig file: no client certificate in its current context');
  const cn = new X509Certificate(pem).subject.split('\n').find((line) => line.startsWith('CN='))?.slice(3) ?? '';
  if (!cn.startsWith('system:node:')) throw fail(`the client certificate's CN "${cn}" is not system:node:<name>`);
  return cn.slice('system:node:'.length);
}
