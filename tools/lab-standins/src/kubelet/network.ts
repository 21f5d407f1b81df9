import fs from 'node:fs';
import path from 'node:path';
import { type HostEnv, hostPath } from '../common/host-env';
import type { KubeObject } from '../common/kube-object';
import { formatSubnetEnv, SUBNET_ENV_PATH } from './flannel-cni';

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

/** flannel v0.26.7's cni-conf.json (Documentation/kube-flannel.yml), which install-cni copies to 10-flannel.conflist. */
export const FLANNEL_CONFLIST = {
  name: 'cbr0',
  cniVersion: '0.3.1',
  plugins: [{ type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } }, { type: 'portmap', capabilities: { portMappings: true } }],
};

/** The flannel network of a net-conf.json (flannel's default 10.244.0.0/16 when unreadable). */
export function flannelNetwork(netConf: string | undefined): string {
  try {
    return (JSON.parse(netConf ?? '{}') as { Network?: string }).Network ?? '10.244.0.0/16';
  } catch {
    // a broken net-conf.json keeps flannel's default, as flanneld would refuse later anyway
    return '10.244.0.0/16';
  }
}

/**
 * What flannel's install-cni-plugin init container puts in the host's /opt/cni/bin (`cp -f
 * /flannel /opt/cni/bin/flannel`, flannel-io/flannel Documentation/kube-flannel.yml v0.26.7).
 * The lab has no flannel binary: the kubelet stand-in translates flannel's config itself
 * (flannel-cni.ts), so this file only says so if run, and marks the plugin as installed.
 */
const FLANNEL_PLUGIN_STANDIN = `#!/bin/sh\necho '{"cniVersion":"0.3.1","code":100,"msg":"kumi lab: flannel\\u0027s CNI plugin is played by the kubelet stand-in (tools/lab-standins/src/kubelet/flannel-cni.ts)"}'\nexit 1\n`;

/**
 * What flannel's init containers (install-cni-plugin, install-cni) and flanneld write on a node
 * once its pod runs: /opt/cni/bin/flannel, the CNI config (10-flannel.conflist) and
 * /run/flannel/subnet.env for the node's lease (FLANNEL_SUBNET is the lease's first address,
 * FLANNEL_MTU the uplink's 1500 - 50 of VXLAN).
 */
export function writeFlannelFiles(host: HostEnv, network: string, subnet: string): void {
  const binDir = hostPath(host, '/opt/cni/bin');
  fs.mkdirSync(binDir, { recursive: true });
  if (!fs.existsSync(path.join(binDir, 'flannel'))) fs.writeFileSync(path.join(binDir, 'flannel'), FLANNEL_PLUGIN_STANDIN, { mode: 0o755 });
  const runDir = hostPath(host, path.dirname(SUBNET_ENV_PATH));
  fs.mkdirSync(runDir, { recursive: true });
  const gateway = subnet.replace(/\.0\/(\d+)$/, '.1/$1');
  fs.writeFileSync(hostPath(host, SUBNET_ENV_PATH), formatSubnetEnv({ network, subnet: gateway, mtu: 1450, ipMasq: true }));
  const confDir = hostPath(host, CNI_CONF_DIR);
  fs.mkdirSync(confDir, { recursive: true });
  fs.writeFileSync(path.join(confDir, '10-flannel.conflist'), `${JSON.stringify(FLANNEL_CONFLIST, null, 2)}\n`);
}

