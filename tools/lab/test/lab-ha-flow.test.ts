// The scripted HA flow of issue 3 inside the real lab (network namespaces on the lab bridge,
// HAProxy + keepalived holding the VIP, stand-ins installed with the lab's apt-get), without
// the coordinator. Root only; skipped loudly otherwise.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClockShift, shiftLabClock } from '@kumi/lab-standins/host/lab-clock';
import { bootHost, killHost } from '../src/host-lifecycle';
import { inCoordinator, inHost, writeHostFile } from '../src/in-host';
import { labDown } from '../src/lab-down';
import { readLabState } from '../src/lab-state';
import { labUp } from '../src/lab-up';
import { bareSeedTopology } from '../src/topology';
import { labSkipReason } from './lab-checks';
import { FLANNEL_MANIFEST_SOURCE } from '../src/e2e/seed-extras';

const skip = labSkipReason() ?? (fs.existsSync('/usr/bin/etcd') ? undefined : 'Debian etcd-server is not installed (/usr/bin/etcd)');
if (skip) console.warn(`\n*** SKIPPED: stand-ins HA flow in the lab (${skip}) ***\n`);

process.env.KUMI_LAB_DIR = `/var/tmp/kumi-lab-standins-${process.pid}`;

const VIP = '192.0.2.100';
const TOKEN = 'k8slab.0123456789abcdef';
const KEY = '6f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const MASTERS = [['master1', '192.0.2.21'], ['master2', '192.0.2.22'], ['master3', '192.0.2.23']] as const;

async function sh(host: string, script: string, timeoutMs = 120_000): Promise<{ code: number; out: string; err: string }> {
  const r = await inHost(host, ['sh', '-c', script], { timeoutMs });
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}

const haproxyCfg = `defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend apiserver
  bind *:6443
  default_backend apiservers
backend apiservers
  option httpchk
  http-check connect ssl
  http-check send meth GET uri /healthz
  http-check expect status 200
  balance roundrobin
${MASTERS.map(([name, ip]) => `  server ${name} ${ip}:6443 check verify none inter 1s fall 2 rise 1`).join('\n')}
`;

const keepalivedCfg = (host: string, state: string, priority: number): string => `vrrp_instance VI_1 {
  state ${state}
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass kumi
  }
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;

/** containerd 1.6's config (version 2) with runc on the systemd cgroup driver. */
const CONTAINERD_CONFIG = `version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
`;

const initYaml = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: ${TOKEN}
  ttl: 24h0m0s
certificateKey: ${KEY}
localAPIEndpoint:
  advertiseAddress: 192.0.2.21
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.34.2
controlPlaneEndpoint: ${VIP}:6443
encryptionAlgorithm: ECDSA-P256
networking:
  podSubnet: 10.244.0.0/16
`;

const joinYaml = (hash: string, cpIp?: string, discovery = '120s'): string => `apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: ${VIP}:6443
    token: ${TOKEN}
    caCertHashes:
    - ${hash}
timeouts:
  discovery: ${discovery}
${cpIp ? `controlPlane:\n  certificateKey: ${KEY}\n  localAPIEndpoint:\n    advertiseAddress: ${cpIp}\n` : ''}`;

describe.skipIf(skip !== undefined).sequential('stand-ins in the lab: kubeadm HA flow through the VIP', () => {
  let hash = '';

  beforeAll(async () => {
    await labDown();
    await labUp({ topology: bareSeedTopology() });
    for (const [host, state, priority] of [['lb1', 'MASTER', 101], ['lb2', 'BACKUP', 100]] as const) {
      await sh(host, 'apt-get install -y haproxy keepalived');
      await writeHostFile(host, '/etc/haproxy/haproxy.cfg', haproxyCfg, 0o644);
      await writeHostFile(host, '/etc/keepalived/keepalived.conf', keepalivedCfg(host, state, priority), 0o644);
      const r = await sh(host, 'systemctl enable haproxy keepalived 2>&1 && systemctl restart haproxy keepalived 2>&1');
      if (r.code !== 0) throw new Error(`${host}: ${r.out}`);
    }
    // What kumi's prepare steps do on every node, by hand: the runtime with the systemd cgroup
    // driver kubeadm gives the kubelet, ip_forward on (kubeadm's preflight checks both).
    for (const host of ['master1', 'master2', 'master3', 'worker1']) {
      await sh(host, 'apt-get install -y containerd');
      await writeHostFile(host, '/etc/containerd/config.toml', CONTAINERD_CONFIG, 0o644);
      const r = await sh(host, 'sysctl -qw net.ipv4.ip_forward=1 && systemctl enable containerd 2>&1 && systemctl restart containerd 2>&1');
      if (r.code !== 0) throw new Error(`${host}: ${r.out}`);
    }
    const repo = 'echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.34/deb/ /" > /etc/apt/sources.list.d/kubernetes.list; apt-get update -qq; apt-get install -y kubelet kubeadm kubectl >/dev/null; swapoff -a; sed -i "/[[:space:]]swap[[:space:]]/ s/^#*/#/" /etc/fstab; systemctl enable kubelet 2>&1';
    for (const host of ['master1', 'master2', 'master3', 'worker1']) {
      const r = await sh(host, repo);
      if (r.code !== 0) throw new Error(`${host}: ${r.err}`);
    }
  }, 180_000);

  afterAll(async () => {
    await labDown();
    fs.rmSync(process.env.KUMI_LAB_DIR ?? '/nonexistent', { recursive: true, force: true });
  }, 60_000);

  it('kubeadm init on master1 prints the join commands with the VIP', async () => {
    await writeHostFile('master1', '/root/kubeadm.yaml', initYaml);
    const r = await sh('master1', 'kubeadm init --config /root/kubeadm.yaml --upload-certs');
    expect(r.code, r.err).toBe(0);
    const m = /\n {2}kubeadm join 192\.0\.2\.100:6443 --token k8slab\.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64}) \\\n\t--control-plane --certificate-key ([0-9a-f]{64})\n/.exec(r.out);
    expect(m?.[2]).toBe(KEY);
    hash = m?.[1] ?? '';
    expect((await sh('master1', 'systemctl is-active kubelet')).out.trim()).toBe('active');
  }, 120_000);

  it('master2 and master3 join through the VIP; etcd reports 3 healthy members', async () => {
    for (const [host, ip] of MASTERS.slice(1)) {
      await writeHostFile(host, '/root/join.yaml', joinYaml(hash, ip));
      const r = await sh(host, 'kubeadm join --config /root/join.yaml');
      expect(r.code, `${host}: ${r.out}${r.err}`).toBe(0);
      expect(r.out).toContain('This node has joined the cluster and a new control plane instance was created:');
    }
    const pki = '/etc/kubernetes/pki/etcd';
    const health = await sh('master2', `ETCDCTL_API=3 etcdctl --endpoints=https://192.0.2.22:2379 --cacert=${pki}/ca.crt --cert=${pki}/healthcheck-client.crt --key=${pki}/healthcheck-client.key endpoint health --cluster 2>&1`);
    expect(health.out.match(/is healthy/g), health.out).toHaveLength(3);
  }, 180_000);

  it('worker1 joins; all nodes Ready after flannel; DNS resolves from a dnsutils pod', async () => {
    await writeHostFile('worker1', '/root/join.yaml', joinYaml(hash));
    const j = await sh('worker1', 'kubeadm join --config /root/join.yaml');
    expect(j.code, j.err).toBe(0);
    expect(j.out).toContain('This node has joined the cluster:');
    await writeHostFile('master1', '/root/kube-flannel.yml', fs.readFileSync(FLANNEL_MANIFEST_SOURCE, 'utf8'), 0o644);
    const r = await sh('master1', [
      'export KUBECONFIG=/etc/kubernetes/admin.conf',
      'kubectl apply -f /root/kube-flannel.yml',
      'kubectl wait --for=condition=Ready nodes --all --timeout=180s',
      'kubectl run dnsutils --image=registry.k8s.io/e2e-test-images/agnhost:2.39 --restart=Never -- sleep infinity',
      'kubectl wait --for=condition=Ready pod/dnsutils --timeout=60s',
      'kubectl exec -i dnsutils -- nslookup kubernetes.default',
    ].join(' && '));
    // On a failure, the kubelets' last lines say which node stalled and why.
    const kubeletLogs = r.code === 0 ? '' : (await Promise.all(['master1', 'master2', 'master3', 'worker1'].map(async (host) => `--- ${host} kubelet\n${(await sh(host, 'journalctl -u kubelet -n 25')).out}`))).join('\n');
    expect(r.code, `${r.out}${r.err}\n${kubeletLogs}`).toBe(0);
    expect(r.out.match(/^node\/\S+ condition met$/gm)).toHaveLength(4);
    expect(r.out).toContain('Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1');
  }, 330_000);

  it('kill master1: https://192.0.2.100:6443/healthz answers ok within 10 s and etcd keeps quorum', async () => {
    const record = readLabState()?.hosts.master1;
    expect(record).toBeDefined();
    await killHost(record!);
    const started = Date.now();
    let body = '';
    while (Date.now() - started < 10_000) {
      const r = await inCoordinator(['curl', '-sk', '-m', '1', `https://${VIP}:6443/healthz`], { timeoutMs: 3000 });
      body = String(r.stdout);
      if (body === 'ok') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(body).toBe('ok');
    console.log(`VIP /healthz ok ${Date.now() - started} ms after master1 was killed`);
    const pki = '/etc/kubernetes/pki/etcd';
    const put = await sh('master2', `ETCDCTL_API=3 etcdctl --endpoints=https://192.0.2.22:2379 --cacert=${pki}/ca.crt --cert=${pki}/healthcheck-client.crt --key=${pki}/healthcheck-client.key put /kumi-lab/quorum ok 2>&1`);
    expect(put.out.trim()).toBe('OK');
  }, 60_000);

  it('booting master1 again brings its static pods back (kubelet): 3 healthy etcd members', async () => {
    const state = readLabState();
    const host = bareSeedTopology().hosts.find((h) => h.name === 'master1');
    await bootHost(host!, bareSeedTopology(), state!.switch!.pid);
    const pki = '/etc/kubernetes/pki/etcd';
    let out = '';
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      const r = await sh('master1', `curl -sk -m 1 https://192.0.2.21:6443/healthz; echo; ETCDCTL_API=3 etcdctl --endpoints=https://192.0.2.21:2379 --cacert=${pki}/ca.crt --cert=${pki}/healthcheck-client.crt --key=${pki}/healthcheck-client.key endpoint health --cluster 2>&1`, 20_000);
      out = r.out;
      if (out.startsWith('ok\n') && (out.match(/is healthy/g) ?? []).length === 3) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
    expect(out.startsWith('ok\n'), out).toBe(true);
    expect(out.match(/is healthy/g), out).toHaveLength(3);
  }, 90_000);

  it('after clock +2h a control-plane join without re-upload is refused; after the token TTL a worker join is refused', async () => {
    shiftLabClock(parseClockShift('+121m'));
    // worker1 plays the would-be control plane: reset it first, as an operator would.
    expect((await sh('worker1', 'kubeadm reset -f')).code).toBe(0);
    await writeHostFile('worker1', '/root/join-cp.yaml', joinYaml(hash, '192.0.2.31'));
    const cp = await sh('worker1', 'kubeadm join --config /root/join-cp.yaml');
    expect(cp.code).toBe(1);
    expect(cp.err).toContain('Secret "kubeadm-certs" was not found in the "kube-system" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one');
    shiftLabClock(parseClockShift('+22h'));
    await writeHostFile('worker1', '/root/join-late.yaml', joinYaml(hash, undefined, '3s'));
    const w = await sh('worker1', 'kubeadm join --config /root/join-late.yaml');
    expect(w.code).toBe(1);
    expect(w.err).toContain('could not find a JWS signature in the cluster-info ConfigMap for token ID "k8slab"');
  }, 90_000);
});
