import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { LoopbackCluster, loopbackSkipReason, type LoopbackHost } from './loopback-cluster';
import { initConfig as initConfigFor, joinConfig as joinConfigFor, KEY, TOKEN } from './loopback-configs';
import { VipProxy } from './vip-proxy';

const skip = loopbackSkipReason();
if (skip) console.warn(`\n*** SKIPPED standins HA flow: ${skip} ***\n`);


function healthz(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

let VIP = '';
const escapedVip = (): string => VIP.replace(/\./g, '\\.');

const initConfig = (ip: string): string => initConfigFor({ ip, vip: VIP, kubernetesVersion: 'v1.34.2' });
// v1beta3 on purpose for one of the joins: kubeadm still reads it (with a deprecation warning).
const joinConfig = (o: Omit<Parameters<typeof joinConfigFor>[0], 'vip'>): string => joinConfigFor({ ...o, vip: VIP });

describe.skipIf(skip !== undefined)('stand-ins: scripted HA flow on loopback with a real 3-member etcd', () => {
  let lab: LoopbackCluster;
  let vip: VipProxy;
  let m1: LoopbackHost, m2: LoopbackHost, m3: LoopbackHost, w1: LoopbackHost, m4: LoopbackHost;
  let hash = '';

  beforeAll(async () => {
    lab = new LoopbackCluster();
    await lab.bundle();
    m1 = await lab.host('master1', 21);
    m2 = await lab.host('master2', 22);
    m3 = await lab.host('master3', 23);
    m4 = await lab.host('master4', 24);
    w1 = await lab.host('worker1', 31);
    VIP = `${lab.prefix}100`;
    vip = new VipProxy(VIP, 6443, [m1, m2, m3].map((m) => `${m.ip}:6443`));
    await vip.start();
  }, 30_000);

  afterAll(async () => {
    await vip?.stop();
    await lab?.destroy();
  }, 30_000);

  it('kubeadm init prints the join commands in kubeadm\'s format', async () => {
    const res = await lab.run(m1, 'kubeadm', ['init', '--config', lab.file('init.yaml', initConfig(m1.ip)), '--upload-certs']);
    // Only preflight warnings (e.g. optional executables this machine lacks), as kubeadm prints them.
    expect(String(res.stderr).split('\n').filter((line) => line !== '' && !/^\t\[WARNING [\w-]+\]: /.test(line))).toEqual([]);
    expect(res.exitCode).toBe(0);
    const out = String(res.stdout);
    expect(out).toContain('Your Kubernetes control-plane has initialized successfully!');
    expect(out).toContain(`[upload-certs] Using certificate key:\n${KEY}\n`);
    const cp = new RegExp(`\\n {2}kubeadm join ${escapedVip()}:6443 --token abcdef\\.0123456789abcdef \\\\\\n\\t--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64}) \\\\\\n\\t--control-plane --certificate-key ([0-9a-f]{64})\\n`).exec(out);
    expect(cp).not.toBeNull();
    hash = cp?.[1] ?? '';
    expect(cp?.[2]).toBe(KEY);
    expect(out).toContain(`\nkubeadm join ${VIP}:6443 --token ${TOKEN} \\\n\t--discovery-token-ca-cert-hash ${hash} \n`);
    for (const f of ['ca.crt', 'ca.key', 'apiserver.crt', 'sa.key', 'sa.pub', 'front-proxy-ca.crt', 'etcd/ca.crt', 'etcd/peer.crt', 'etcd/server.crt']) {
      expect(fs.existsSync(path.join(m1.root, 'etc/kubernetes/pki', f)), f).toBe(true);
    }
    expect(fs.existsSync(path.join(m1.root, 'etc/kubernetes/admin.conf'))).toBe(true);
  }, 90_000);

  it('refuses --config mixed with --certificate-key as kubeadm does', async () => {
    const res = await lab.run(m2, 'kubeadm', ['init', '--config', path.join(lab.dir, 'init.yaml'), '--certificate-key', KEY]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain("can not mix '--config' with arguments [certificate-key]");
  });

  it('refuses a worker join whose CA hash does not match the CA', async () => {
    const wrong = `sha256:${'1'.repeat(64)}`;
    const res = await lab.run(w1, 'kubeadm', ['join', '--config', lab.file('w-bad-hash.yaml', joinConfig({ name: 'worker1', hash: wrong }))]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain(`error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${hash}" are pinned`);
    expect(fs.existsSync(path.join(w1.root, 'etc/kubernetes/kubelet.conf'))).toBe(false);
  }, 30_000);

  it('refuses a control-plane join with a wrong certificate key', async () => {
    const wrongKey = 'f'.repeat(64);
    const res = await lab.run(m4, 'kubeadm', ['join', '--config', lab.file('m4-bad-key.yaml', joinConfig({ name: 'master4', hash, cpIp: m4.ip, key: wrongKey }))]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain('error execution phase control-plane-prepare/download-certs: error downloading certs: error decoding secret data with provided key: cipher: message authentication failed');
  }, 30_000);

  it('joins master2 and master3 through the VIP; etcd reports 3 healthy members', async () => {
    for (const [host, version] of [[m2, 'v1beta4'], [m3, 'v1beta3']] as const) {
      const res = await lab.run(host, 'kubeadm', ['join', '--config', lab.file(`${host.name}.yaml`, joinConfig({ name: host.name, hash, cpIp: host.ip, version }))]);
      expect(res.exitCode, `${host.name} ${String(res.signal)} ${String(res.stdout)}${String(res.stderr)}`).toBe(0);
      expect(res.stdout).toContain('This node has joined the cluster and a new control plane instance was created:');
      if (version === 'v1beta3') expect(res.stderr).toContain('deprecated API spec: "kubeadm.k8s.io/v1beta3"');
    }
    const members = await lab.etcdctl(m1, ['member', 'list', '-w', 'json']);
    const list = (JSON.parse(String(members.stdout)) as { members: { name: string; isLearner?: boolean }[] }).members;
    expect(list.map((m) => m.name).sort()).toEqual(['master1', 'master2', 'master3']);
    expect(list.every((m) => !m.isLearner)).toBe(true);
    const health = await lab.etcdctl(m1, ['endpoint', 'health', '--cluster']);
    expect(health.exitCode, String(health.stderr)).toBe(0);
    expect(`${String(health.stdout)}${String(health.stderr)}`.match(/is healthy/g)).toHaveLength(3);
  }, 120_000);

  it('joins a worker; nodes turn Ready once flannel is applied; DNS resolves from a dnsutils pod', async () => {
    const res = await lab.run(w1, 'kubeadm', ['join', '--config', lab.file('w1.yaml', joinConfig({ name: 'worker1', hash }))]);
    expect(res.exitCode, String(res.stderr)).toBe(0);
    expect(res.stdout).toContain('This node has joined the cluster:');
    const before = await lab.run(m1, 'kubectl', ['get', 'nodes', '-o', 'json']);
    const nodes = (JSON.parse(String(before.stdout)) as { items: { metadata: { name: string } }[] }).items.map((n) => n.metadata.name).sort();
    expect(nodes).toEqual(['master1', 'master2', 'master3', 'worker1']);
    const notReady = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=3s']);
    expect(notReady.exitCode).toBe(1);
    expect(notReady.stderr).toContain('error: timed out waiting for the condition on nodes/');
    const apply = await lab.run(m1, 'kubectl', ['apply', '-f', '-'], { input: fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'kube-flannel.yml'), 'utf8') });
    expect(apply.exitCode, String(apply.stderr)).toBe(0);
    expect(apply.stdout).toContain('daemonset.apps/kube-flannel-ds created');
    const ready = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=60s']);
    expect(ready.exitCode, String(ready.stderr)).toBe(0);
    expect(String(ready.stdout).match(/condition met/g)).toHaveLength(4);
    expect((await lab.run(m1, 'kubectl', ['run', 'dnsutils', '--image=registry.k8s.io/e2e-test-images/agnhost:2.39', '--restart=Never', '--', 'sleep', 'infinity'])).exitCode).toBe(0);
    const podReady = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'pod/dnsutils', '--timeout=30s']);
    expect(podReady.exitCode, String(podReady.stderr)).toBe(0);
    const dns = await lab.run(m1, 'kubectl', ['exec', '-i', 'dnsutils', '--', 'nslookup', 'kubernetes.default']);
    expect(dns.exitCode, String(dns.stderr)).toBe(0);
    expect(dns.stdout).toContain('Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1');
  }, 150_000);

  it('spreads CoreDNS over nodes after `kubectl rollout restart`', async () => {
    const restart = await lab.run(m1, 'kubectl', ['-n', 'kube-system', 'rollout', 'restart', 'deployment/coredns']);
    expect(restart.stdout).toBe('deployment.apps/coredns restarted\n');
    const wait = await lab.run(m1, 'kubectl', ['-n', 'kube-system', 'wait', '--for=condition=Ready', 'pods', '-l', 'k8s-app=kube-dns', '--timeout=40s']);
    expect(wait.exitCode, String(wait.stderr)).toBe(0);
    const pods = JSON.parse(String((await lab.run(m1, 'kubectl', ['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'json'])).stdout)) as { items: { spec: { nodeName: string } }[] };
    expect(pods.items).toHaveLength(2);
    expect(new Set(pods.items.map((p) => p.spec.nodeName)).size).toBe(2);
  }, 120_000);

  it('kubeadm reset -f on a control plane removes its etcd member while the cluster lives on', async () => {
    const join = await lab.run(m4, 'kubeadm', ['join', '--config', lab.file('m4-ok.yaml', joinConfig({ name: 'master4', hash, cpIp: m4.ip }))]);
    expect(join.exitCode, String(join.stderr)).toBe(0);
    const reset = await lab.run(m4, 'kubeadm', ['reset', '-f']);
    expect(reset.exitCode, String(reset.stderr)).toBe(0);
    expect(reset.stdout).toMatch(/\[reset\] Removing member [0-9a-f]+ from the etcd cluster/);
    expect(reset.stdout).toContain('The reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d');
    const members = JSON.parse(String((await lab.etcdctl(m1, ['member', 'list', '-w', 'json'])).stdout)) as { members: { name: string }[] };
    expect(members.members.map((m) => m.name).sort()).toEqual(['master1', 'master2', 'master3']);
    expect(fs.existsSync(path.join(m4.root, 'etc/kubernetes/admin.conf'))).toBe(false);
    expect(fs.readdirSync(path.join(m4.root, 'var/lib/etcd'))).toEqual([]);
    expect(lab.servicePids(m4)).toEqual([]);
    expect(fs.existsSync(path.join(m4.root, 'etc/cni/net.d/10-flannel.conflist'))).toBe(true);
    const del = await lab.run(m1, 'kubectl', ['delete', 'node', 'master4']);
    expect(del.exitCode, String(del.stderr)).toBe(0);
  }, 90_000);

  it('survives losing master1: the VIP answers /healthz ok within 10 s and etcd keeps quorum', async () => {
    lab.kill(m1);
    const started = Date.now();
    // Until its checks fail (HAProxy's fall), the proxy still sends some connections (the
    // kubelets' too) to master1: failover is done once master1 is out of rotation and the VIP
    // answers ok, as an operator would read HAProxy's stats and curl the VIP.
    let ok = false;
    while (Date.now() - started < 10_000 && !ok) {
      const res = await healthz(`https://${VIP}:6443/healthz`);
      ok = !vip.upBackends().includes(`${m1.ip}:6443`) && res.status === 200 && res.body === 'ok';
      if (!ok) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ok, `VIP /healthz did not answer ok with master1 out of rotation within 10 s (up: ${vip.upBackends().join(' ')})`).toBe(true);
    const put = await lab.etcdctl(m2, ['put', '/kumi-test/quorum', 'yes']);
    expect(put.exitCode, String(put.stderr)).toBe(0);
    const health = await lab.etcdctl(m2, ['endpoint', 'health']);
    expect(`${String(health.stdout)}${String(health.stderr)}`).toContain('is healthy');
    expect((await healthz(`https://${m1.ip}:6443/healthz`)).status).toBe(0);
    const dns = await lab.run(m2, 'kubectl', ['exec', '-i', 'dnsutils', '--', 'nslookup', 'kubernetes.default']);
    expect(dns.exitCode, String(dns.stderr)).toBe(0);
    expect(dns.stdout).toContain('Address: 10.96.0.1');
  }, 30_000);

  it('after clock +2h a control-plane join without re-upload is refused with kubeadm\'s message; after a re-upload it succeeds', async () => {
    lab.shiftClock(2 * 3_600_000 + 60_000);
    const res = await lab.run(m4, 'kubeadm', ['join', '--config', lab.file('m4.yaml', joinConfig({ name: 'master4', hash, cpIp: m4.ip }))]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain('error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret "kubeadm-certs" was not found in the "kube-system" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one');
    expect(fs.existsSync(path.join(m4.root, 'etc/kubernetes/pki/ca.key'))).toBe(false);
    // Re-uploading under a fresh key (as the error says) lets the same node join.
    const fresh = await lab.run(m2, 'kubeadm', ['certs', 'certificate-key']);
    expect(fresh.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const key = String(fresh.stdout).trim();
    const upload = await lab.run(m2, 'kubeadm', ['init', 'phase', 'upload-certs', '--upload-certs', '--certificate-key', key]);
    expect(upload.exitCode, String(upload.stderr)).toBe(0);
    expect(upload.stdout).toBe(`[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${key}\n`);
    // etcd refuses new members while master1's member is down ("unhealthy cluster"): remove it first, as an operator replacing master1 would.
    const list = String((await lab.etcdctl(m2, ['member', 'list'])).stdout);
    const deadId = /^([0-9a-f]+), started, master1,/m.exec(list)?.[1];
    expect(deadId, list).toBeDefined();
    expect((await lab.etcdctl(m2, ['member', 'remove', deadId ?? ''])).exitCode).toBe(0);
    const join = await lab.run(m4, 'kubeadm', ['join', '--config', lab.file('m4-rekeyed.yaml', joinConfig({ name: 'master4', hash, cpIp: m4.ip, key }))]);
    expect(join.exitCode, String(join.stderr)).toBe(0);
    expect(join.stdout).toContain('This node has joined the cluster and a new control plane instance was created:');
  }, 120_000);

  it('after the token TTL a worker join is refused with kubeadm\'s message; a new token works, a forged or deleted one does not', async () => {
    lab.shiftClock(22 * 3_600_000);
    const w2 = await lab.host('worker2', 32);
    const res = await lab.run(w2, 'kubeadm', ['join', '--config', lab.file('w2.yaml', joinConfig({ name: 'worker2', hash, discovery: '3s' }))]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain('error execution phase preflight: couldn\'t validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"');
    const list = await lab.run(m2, 'kubeadm', ['token', 'list']);
    expect(list.stdout).not.toContain('abcdef.');
    const created = await lab.run(m2, 'kubeadm', ['token', 'create', '--print-join-command']);
    expect(created.exitCode, String(created.stderr)).toBe(0);
    const m = new RegExp(`^kubeadm join ${escapedVip()}:6443 --token ([a-z0-9]{6}\\.[a-z0-9]{16}) --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64}) \\n$`).exec(String(created.stdout));
    expect(m?.[2]).toBe(hash);
    const id = m?.[1]?.split('.')[0] ?? '';
    expect((await lab.run(m2, 'kubectl', ['drain', 'worker1'])).stderr).toContain('cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)');
    const forged = await lab.run(w2, 'kubeadm', ['join', '--config', lab.file('w2-forged.yaml', joinConfig({ name: 'worker2', hash, token: `${id}.0000000000000000`, discovery: '3s' }))]);
    expect(forged.exitCode).toBe(1);
    expect(forged.stderr).toContain("failed to verify JWS signature of received cluster info object, can't trust this API Server");
    const again = await lab.run(w2, 'kubeadm', ['join', '--config', lab.file('w2b.yaml', joinConfig({ name: 'worker2', hash, token: m?.[1] }))]);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    const drain = await lab.run(m2, 'kubectl', ['drain', 'worker2', '--ignore-daemonsets', '--delete-emptydir-data']);
    expect(drain.exitCode, String(drain.stderr)).toBe(0);
    expect(drain.stdout).toMatch(/^node\/worker2 cordoned\n[\s\S]*node\/worker2 drained\n$/);
    expect((await lab.run(m2, 'kubectl', ['delete', 'node', 'worker2'])).stdout).toBe('node "worker2" deleted\n');
    const del = await lab.run(m2, 'kubeadm', ['token', 'delete', id]);
    expect(del.stdout).toBe(`bootstrap token "${id}" deleted\n`);
    const w3 = await lab.host('worker3', 33);
    const deleted = await lab.run(w3, 'kubeadm', ['join', '--config', lab.file('w3.yaml', joinConfig({ name: 'worker3', hash, token: m?.[1], discovery: '3s' }))]);
    expect(deleted.exitCode).toBe(1);
    expect(deleted.stderr).toContain(`could not find a JWS signature in the cluster-info ConfigMap for token ID "${id}"`);
  }, 120_000);
});
