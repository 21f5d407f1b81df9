// Issue 14 part B in the real lab: a control plane and a worker built with the lab's packages
// (kubeadm, kubelet stand-ins; the machine's real kubectl of the cluster's minor as
// /usr/bin/kubectl), then the real kubectl runs `exec kumi-dnsutils -- nslookup
// kubernetes.default` and `exec etcd-master1 -- etcdctl` (WebSocket v5, and SPDY through
// kubectl 1.28). Real `kubectl drain` (with and without a blocking PDB) runs against the
// stand-ins over loopback: tools/lab-standins/test/real-kubectl-stream.test.ts. Root only;
// skipped loudly otherwise. Run through /work/wt/labslot. Cost: ~1 min after the lab is up.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inHost, writeHostFile } from '../src/in-host';
import { labDown } from '../src/lab-down';
import { labUp } from '../src/lab-up';
import { bareSeedTopology } from '../src/topology';
import { labSkipReason } from './lab-checks';
import { FLANNEL_MANIFEST_SOURCE } from '../src/e2e/seed-extras';

const SPDY_KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.28';
const skip = labSkipReason() ?? (fs.existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.33') && fs.existsSync(SPDY_KUBECTL) ? undefined : "Google's kubectl package (kubectl.1.28, kubectl.1.33) is not installed");
if (skip) console.warn(`\n*** SKIPPED: real kubectl exec in the lab (${skip}) ***\n`);

process.env.KUMI_LAB_DIR = `/var/tmp/kumi-lab-real-kubectl-exec-${process.pid}`;

const TOKEN = 'k8slab.0123456789abcdef';
const MASTER_IP = '192.0.2.21';
const ETCDCTL = `etcdctl --endpoints=https://${MASTER_IP}:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key`;

async function sh(host: string, script: string, timeoutMs = 120_000): Promise<{ code: number; out: string; err: string }> {
  const r = await inHost(host, ['sh', '-c', `export KUBECONFIG=/etc/kubernetes/admin.conf; ${script}`], { timeoutMs });
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}

const initYaml = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: ${TOKEN}
  ttl: 24h0m0s
localAPIEndpoint:
  advertiseAddress: ${MASTER_IP}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.34.2
controlPlaneEndpoint: ${MASTER_IP}:6443
networking:
  podSubnet: 10.244.0.0/16
`;

const joinYaml = (hash: string): string => `apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: ${MASTER_IP}:6443
    token: ${TOKEN}
    caCertHashes:
    - ${hash}
`;

/** The dnsutils pod of kumi's verify step (libs/steps/src/steps/verify/probes.ts). */
const DNSUTILS = `apiVersion: v1
kind: Pod
metadata:
  name: kumi-dnsutils
  namespace: default
spec:
  containers:
  - name: dnsutils
    image: registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3
    command: ["sleep", "infinity"]
`;

/** containerd 1.6's config (version 2) with runc on the systemd cgroup driver. */
const CONTAINERD_CONFIG = `version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
`;

describe.skipIf(skip !== undefined).sequential('real kubectl in the lab: exec', () => {
  beforeAll(async () => {
    await labDown();
    const bare = bareSeedTopology();
    await labUp({ topology: { vip: bare.vip, hosts: bare.hosts.filter((h) => h.name === 'master1' || h.name === 'worker1') } });
    for (const host of ['master1', 'worker1']) {
      await writeHostFile(host, '/etc/containerd/config.toml', CONTAINERD_CONFIG, 0o644);
      const r = await sh(
        host,
        // A fresh lab host has no containerd until its package is installed, as on a real VM.
        'sysctl -qw net.ipv4.ip_forward=1 && echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.34/deb/ /" > /etc/apt/sources.list.d/kubernetes.list && apt-get update -qq && apt-get install -y containerd kubelet kubeadm kubectl >/dev/null && systemctl enable --now containerd 2>&1 && swapoff -a && systemctl enable kubelet 2>&1',
        180_000,
      );
      if (r.code !== 0) throw new Error(`${host}: ${r.out}${r.err}`);
    }
    await writeHostFile('master1', '/root/kubeadm.yaml', initYaml);
    const init = await sh('master1', 'kubeadm init --config /root/kubeadm.yaml');
    if (init.code !== 0) throw new Error(`kubeadm init: ${init.out}${init.err}`);
    const hash = /--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/.exec(init.out)?.[1] ?? '';
    await writeHostFile('worker1', '/root/join.yaml', joinYaml(hash));
    const join = await sh('worker1', 'kubeadm join --config /root/join.yaml');
    if (join.code !== 0) throw new Error(`kubeadm join: ${join.out}${join.err}`);
    await writeHostFile('master1', '/root/kube-flannel.yml', fs.readFileSync(FLANNEL_MANIFEST_SOURCE, 'utf8'), 0o644);
    await writeHostFile('master1', '/root/dnsutils.yaml', DNSUTILS, 0o644);
    const up = await sh('master1', 'kubectl apply -f /root/kube-flannel.yml && kubectl wait --for=condition=Ready nodes --all --timeout=180s && kubectl apply -f /root/dnsutils.yaml && kubectl wait --for=condition=Ready pod/kumi-dnsutils --timeout=90s', 300_000);
    if (up.code !== 0) throw new Error(`pod network and dnsutils: ${up.out}${up.err}`);
  }, 600_000);

  afterAll(async () => {
    await labDown();
    fs.rmSync(process.env.KUMI_LAB_DIR ?? '/nonexistent', { recursive: true, force: true });
  }, 60_000);

  it('the lab\'s kubectl is the real kubectl 1.33 (v1.34 cluster, one minor of skew)', async () => {
    const r = await sh('master1', 'readlink -f /usr/bin/kubectl && kubectl version --client -o json');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('/usr/lib/google-cloud-sdk/bin/kubectl.1.33');
    expect(r.out).toContain('"gitVersion": "v1.33.');
  });

  it('kubectl exec kumi-dnsutils -- nslookup kubernetes.default answers as on a real cluster', async () => {
    const r = await sh('master1', 'kubectl exec kumi-dnsutils -- nslookup kubernetes.default');
    expect(r.code, r.err).toBe(0);
    // inHost strips the final newline of nslookup's output (which ends with an empty line).
    expect(r.out).toBe('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n');
    const missing = await sh('master1', 'kubectl exec kumi-dnsutils -- nslookup nosuch.default');
    expect(missing.code).toBe(1);
    expect(missing.err.trim()).toBe('command terminated with exit code 1');
  }, 60_000);

  it('kubectl exec etcd-master1 -- etcdctl over WebSocket and, with kubectl 1.28, SPDY; the exit code comes back', async () => {
    for (const kubectl of ['kubectl', SPDY_KUBECTL]) {
      const list = await sh('master1', `${kubectl} -n kube-system exec etcd-master1 -- ${ETCDCTL} member list`);
      expect(list.code, list.err).toBe(0);
      expect(list.out).toMatch(/^[0-9a-f]+, started, master1, https:\/\/192\.0\.2\.21:2380, https:\/\/192\.0\.2\.21:2379, false$/);
      const bad = await sh('master1', `${kubectl} -n kube-system exec etcd-master1 -- ${ETCDCTL} put`);
      expect(bad.code).toBe(128);
      expect(bad.err).toContain('command terminated with exit code 128');
    }
    const log = await sh('master1', 'journalctl -u kubelet --no-pager | grep "exec in kube-system/etcd-master1/etcd"');
    expect(log.out).toContain('(v5.channel.k8s.io)');
    expect(log.out).toContain('(v4.channel.k8s.io)');
  }, 60_000);
});
