import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realKubectlFor } from '../src/packages/kubectl-client';
import { untilKubectlAnswered } from '../src/packages/kubectl-request-log';
import { LoopbackCluster, loopbackSkipReason, type LoopbackHost } from './loopback-cluster';
import { initConfig } from './loopback-configs';

// The machine's real kubectl (Google's build) against the API server stand-in of a one-node
// loopback cluster (real etcd, the stand-in kube-apiserver and kubelet, over real sockets).
const KUBERNETES_VERSION = 'v1.33.2';
const kubectlBin = realKubectlFor(33);
const skip = loopbackSkipReason() ?? (kubectlBin === undefined ? 'needs a real kubectl 1.32…1.34 in /usr/lib/google-cloud-sdk/bin' : undefined);
if (skip) console.warn(`\n*** SKIPPED real kubectl against the API server stand-in: ${skip} ***\n`);

const FLANNEL = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'kube-flannel.yml'), 'utf8');

describe.skipIf(skip !== undefined)('the real kubectl against the API server stand-in', () => {
  let lab: LoopbackCluster;
  let m1: LoopbackHost;
  let kubeconfig = '';
  const kubectl = (args: string[], input?: string) => execa(kubectlBin ?? 'kubectl', ['--kubeconfig', kubeconfig, ...args], { reject: false, input, timeout: 60_000, stripFinalNewline: false, env: { HOME: lab.dir } });

  beforeAll(async () => {
    lab = new LoopbackCluster({ kubeadmVersion: KUBERNETES_VERSION });
    await lab.bundle();
    m1 = await lab.host('master1', 21);
    const init = await lab.run(m1, 'kubeadm', ['init', '--config', lab.file('init.yaml', initConfig({ ip: m1.ip, vip: m1.ip, kubernetesVersion: KUBERNETES_VERSION }))]);
    expect(init.exitCode, String(init.stderr)).toBe(0);
    kubeconfig = path.join(m1.root, 'etc/kubernetes/admin.conf');
  }, 90_000);

  afterAll(async () => {
    await lab?.destroy();
  }, 30_000);

  it('discovers the API: api-resources lists the served kinds with short names and scope', async () => {
    const res = await kubectl(['api-resources']);
    expect(res.exitCode, res.stderr).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    expect(lines.find((l) => l.startsWith('pods '))).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/);
    expect(lines.find((l) => l.startsWith('daemonsets '))).toMatch(/^daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet$/);
    expect(lines.find((l) => l.startsWith('nodes '))).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/);
  });

  it('prints nodes and pods from the server\'s Table as kubectl does', async () => {
    // The kubelet registers the node, then posts its status (Ready=False until the pod network runs).
    const posted = await kubectl(['wait', '--for=condition=Ready=false', 'node/master1', '--timeout=30s']);
    expect(posted.exitCode, posted.stderr).toBe(0);
    const nodes = await kubectl(['get', 'nodes', '-o', 'wide']);
    expect(nodes.exitCode, nodes.stderr).toBe(0);
    const [header, row] = nodes.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    expect(row).toMatch(new RegExp(`^master1\\s+NotReady\\s+control-plane\\s+\\d+s\\s+v1\\.\\d+\\.\\d+\\s+${m1.ip.replace(/\./g, '\\.')}\\s+<none>\\s+`));
    const pods = await kubectl(['get', 'pods', '-A']);
    expect(pods.exitCode, pods.stderr).toBe(0);
    expect(pods.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(pods.stdout).toMatch(/\nkube-system\s+kube-apiserver-master1\s+\d\/1\s+Running\s+0\s+/);
    expect(pods.stdout).toMatch(/\nkube-system\s+coredns-[0-9a-f]+-\w+\s+0\/1\s+Pending\s+0\s+/);
  });

  it('answers errors with Status objects kubectl prints', async () => {
    const missing = await kubectl(['-n', 'kube-system', 'get', 'pod', 'nope']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    const unknown = await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict, namespace: default}\ndata: {a: b}\nextra: 1\n');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra"');
    const stale = await kubectl(['-n', 'kube-system', 'patch', 'configmap', 'coredns', '--type=merge', '-p', '{"metadata":{"resourceVersion":"1"},"data":{"x":"y"}}']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain('Error from server (Conflict): Operation cannot be fulfilled on configmaps "coredns": the object has been modified');
    const noNamespace = await kubectl(['-n', 'nowhere', 'create', 'configmap', 'x']);
    expect(noNamespace.stderr).toContain('namespaces "nowhere" not found');
  });

  it('applies the flannel manifest (create, then unchanged, then a strategic merge patch) and the node turns Ready', async () => {
    const first = await kubectl(['apply', '-f', '-'], FLANNEL);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain('namespace/kube-flannel created\n');
    expect(first.stdout).toContain('daemonset.apps/kube-flannel-ds created');
    const again = await kubectl(['apply', '-f', '-'], FLANNEL);
    expect(again.stdout).toContain('daemonset.apps/kube-flannel-ds unchanged');
    const changed = FLANNEL.replace('args: ["--ip-masq", "--kube-subnet-mgr"]', 'args: ["--ip-masq", "--kube-subnet-mgr", "--iface=eth0"]\n        env: [{name: POD_NAME, value: x}, {name: EVENT_QUEUE_DEPTH, value: "5000"}]');
    expect(changed).not.toBe(FLANNEL);
    const third = await kubectl(['apply', '-f', '-'], changed);
    expect(third.stdout).toContain('daemonset.apps/kube-flannel-ds configured');
    type Ds = { metadata: { annotations: Record<string, string> }; spec: { template: { spec: { containers: { name: string; args: string[]; env?: { name: string }[] }[] } } } };
    const readDs = async (): Promise<Ds> => JSON.parse((await kubectl(['-n', 'kube-flannel', 'get', 'daemonset', 'kube-flannel-ds', '-o', 'json'])).stdout) as Ds;
    const ds = await readDs();
    expect(ds.spec.template.spec.containers).toHaveLength(1);
    expect(ds.spec.template.spec.containers[0]).toMatchObject({ name: 'kube-flannel', args: ['--ip-masq', '--kube-subnet-mgr', '--iface=eth0'], env: [{ name: 'POD_NAME' }, { name: 'EVENT_QUEUE_DEPTH' }] });
    expect(JSON.parse(ds.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}')).toMatchObject({ kind: 'DaemonSet' });
    // Back to the original: kubectl's three-way patch drops what only the last apply had.
    const fourth = await kubectl(['apply', '-f', '-'], FLANNEL);
    expect(fourth.stdout).toContain('daemonset.apps/kube-flannel-ds configured');
    expect((await readDs()).spec.template.spec.containers).toEqual([expect.objectContaining({ name: 'kube-flannel', args: ['--ip-masq', '--kube-subnet-mgr'] })]);
    expect((await readDs()).spec.template.spec.containers[0]?.env).toBeUndefined();
    const ready = await kubectl(['wait', '--for=condition=Ready', 'node/master1', '--timeout=60s']);
    expect(ready.exitCode, ready.stderr).toBe(0);
    expect(ready.stdout).toBe('node/master1 condition met\n');
    const pods = await kubectl(['-n', 'kube-flannel', 'wait', '--for=condition=Ready', 'pods', '-l', 'app=flannel', '--timeout=30s']);
    expect(pods.exitCode, `${pods.stdout}${pods.stderr}`).toBe(0);
    expect(pods.stdout).toMatch(/^pod\/kube-flannel-ds-\w+ condition met\n$/);
  }, 120_000);

  it('restarts a Deployment: kubectl rollout restart replaces its pods, wait --for=delete sees the old one go', async () => {
    const before = JSON.parse((await kubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };
    const old = before.items[0]?.metadata.name ?? '';
    expect(old).not.toBe('');
    // The restart deletes an old pod at once (CoreDNS allows maxUnavailable 1): only after the
    // wait has read the pod may it go, or the wait succeeds printing nothing.
    const gone = kubectl(['-v=6', '-n', 'kube-system', 'wait', '--for=delete', `pod/${old}`, '--timeout=30s']);
    await untilKubectlAnswered(gone, old);
    const restart = await kubectl(['-n', 'kube-system', 'rollout', 'restart', 'deployment/coredns']);
    expect(restart.stdout).toBe('deployment.apps/coredns restarted\n');
    const waited = await gone;
    expect(waited.exitCode, waited.stderr).toBe(0);
    expect(waited.stdout).toBe(`pod/${old} condition met\n`);
    const after = JSON.parse((await kubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };
    expect(after.items).toHaveLength(2);
    expect(after.items.map((p) => p.metadata.name)).not.toContain(old);
    const ready = await kubectl(['-n', 'kube-system', 'wait', '--for=condition=Ready', 'pods', '-l', 'k8s-app=kube-dns', '--timeout=40s']);
    expect(ready.exitCode, ready.stderr).toBe(0);
  }, 90_000);

  it('drains the node: cordons it, skips mirror and DaemonSet pods, removes the CoreDNS pods; uncordons', async () => {
    const dnsPods = async () => (JSON.parse((await kubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name);
    const before = await dnsPods();
    expect(before).toHaveLength(2);
    const drain = await kubectl(['drain', 'master1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=40s']);
    expect(drain.exitCode, drain.stderr).toBe(0);
    expect(drain.stdout).toMatch(/^node\/master1 cordoned\n/);
    expect(drain.stdout).toMatch(/node\/master1 drained\n$/);
    expect(drain.stderr).toMatch(/Warning: ignoring DaemonSet-managed Pods: kube-flannel\/kube-flannel-ds-\w+, kube-system\/kube-proxy-\w+/);
    // The Deployment replaces what drain removed; the new pods wait for a schedulable node.
    const after = await dnsPods();
    expect(after).toHaveLength(2);
    expect(after.filter((name) => before.includes(name))).toEqual([]);
    expect((await kubectl(['get', 'node', 'master1'])).stdout).toMatch(/\nmaster1\s+Ready,SchedulingDisabled\s+control-plane\s/);
    expect((await kubectl(['uncordon', 'master1'])).stdout).toBe('node/master1 uncordoned\n');
  }, 60_000);

  it('creates through the typed client (protobuf body) and deletes with propagation', async () => {
    const ns = await kubectl(['create', 'namespace', 'scratch']);
    expect(ns.stdout).toBe('namespace/scratch created\n');
    expect((await kubectl(['get', 'namespace', 'scratch'])).stdout).toMatch(/^NAME\s+STATUS\s+AGE\nscratch\s+Active\s+\d+s\n$/);
    const cm = await kubectl(['-n', 'scratch', 'create', 'configmap', 'c1', '--from-literal=a=b']);
    expect(cm.stdout).toBe('configmap/c1 created\n');
    const del = await kubectl(['-n', 'scratch', 'delete', 'configmap', 'c1', '--cascade=foreground']);
    expect(del.exitCode, del.stderr).toBe(0);
    expect(del.stdout).toBe('configmap "c1" deleted\n');
  });
});
