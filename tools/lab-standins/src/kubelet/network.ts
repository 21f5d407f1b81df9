import fs from 'node:fs';
import path from 'node:path';
import { type HostEnv, hostPath } from '../common/host-env';
import type { KubeObject } from '../common/kube-object';

/** Where CNI configuration lives (the kubelet reads it; kubeadm reset leaves it). */
export const CNI_CONF_DIR = '/etc/cni/net.d';

/** The kubelet's NetworkReady: some CNI network configuration exists. */
export function networkReady(host: HostEnv): boolean {
  const dir = hostPath(host, CNI_CONF_DIR);
  try {
    return fs.readdirSync(dir).some((f) => /\.(conflist|conf|json)$/.test(f));
  } catch {
    return false;
  }
}

/** True for a pod of the flannel DaemonSet. */
export function isFlannelPod(pod: KubeObject): boolean {
  const labels = pod.metadata?.labels ?? {};
  return labels.app === 'flannel' || labels['k8s-app'] === 'flannel' || (pod.metadata?.name ?? '').startsWith('kube-flannel-ds');
}

/**
 * What flannel's install-cni init container and flanneld do on a node once its pod runs:
 * the CNI config (10-flannel.conflist) and /run/flannel/subnet.env from the net-conf.json
 * of the kube-flannel-cfg ConfigMap.
 */
export function installFlannel(host: HostEnv, netConf: string | undefined, nodeIndex: number): void {
  let network = '10.244.0.0/16';
  try {
    network = (JSON.parse(netConf ?? '{}') as { Network?: string }).Network ?? network;
  } catch {
    // a broken net-conf.json keeps flannel's default, as flanneld would refuse later anyway
  }
  const base = network.split('/')[0]?.split('.') ?? ['10', '244', '0', '0'];
  const subnet = `${base[0]}.${base[1]}.${nodeIndex}.1/24`;
  const runDir = hostPath(host, '/run/flannel');
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'subnet.env'), `FLANNEL_NETWORK=${network}\nFLANNEL_SUBNET=${subnet}\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n`);
  const confDir = hostPath(host, CNI_CONF_DIR);
  fs.mkdirSync(confDir, { recursive: true });
  const conflist = { name: 'cbr0', cniVersion: '0.3.1', plugins: [{ type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } }, { type: 'portmap', capabilities: { portMappings: true } }] };
  fs.writeFileSync(path.join(confDir, '10-flannel.conflist'), `${JSON.stringify(conflist, null, 2)}\n`);
}
