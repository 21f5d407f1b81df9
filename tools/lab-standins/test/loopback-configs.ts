// kubeadm config files of the loopback cluster tests: one control plane's init, the joins.

/** The bootstrap token and certificate key the loopback tests use. */
export const TOKEN = 'abcdef.0123456789abcdef';
export const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** InitConfiguration + ClusterConfiguration (v1beta4) for master1 at `ip` behind `vip`. */
export function initConfig(o: { ip: string; vip: string; kubernetesVersion: string; criSocket?: string }): string {
  return `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: ${TOKEN}
  ttl: 24h0m0s
certificateKey: ${KEY}
localAPIEndpoint:
  advertiseAddress: ${o.ip}
  bindPort: 6443
nodeRegistration:
  name: master1
${o.criSocket === undefined ? '' : `  criSocket: ${o.criSocket}\n`}---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: ${o.kubernetesVersion}
controlPlaneEndpoint: ${o.vip}:6443
encryptionAlgorithm: ECDSA-P256
networking:
  podSubnet: 10.244.0.0/16
`;
}

/**
 * JoinConfiguration for a worker, or a control plane with `cpIp`. v1beta3 reads the discovery
 * timeout from discovery.timeout, v1beta4 from timeouts.discovery (default here 60 s; joins
 * expected to fail use a few seconds, kubeadm's default is 5 min of retries).
 */
export function joinConfig(o: { vip: string; name: string; hash: string; token?: string; cpIp?: string; key?: string; version?: 'v1beta3' | 'v1beta4'; discovery?: string }): string {
  const v = o.version ?? 'v1beta4';
  const discovery = o.discovery ?? '60s';
  const timeout = v === 'v1beta4' ? `timeouts:\n  discovery: ${discovery}\n` : '';
  const cp = o.cpIp ? `controlPlane:\n  certificateKey: ${o.key ?? KEY}\n  localAPIEndpoint:\n    advertiseAddress: ${o.cpIp}\n    bindPort: 6443\n` : '';
  return `apiVersion: kubeadm.k8s.io/${v}
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: ${o.vip}:6443
    token: ${o.token ?? TOKEN}
    caCertHashes:
    - ${o.hash}
${v === 'v1beta3' ? `  timeout: ${discovery}\n` : ''}nodeRegistration:
  name: ${o.name}
${cp}${timeout}`;
}
