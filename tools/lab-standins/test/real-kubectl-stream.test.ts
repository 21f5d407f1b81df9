// Issue 14 part B: the machine's real kubectl against the stand-ins over loopback sockets.
// `kubectl exec` goes API server -> kubelet :10250 /exec over WebSocket v5.channel.k8s.io
// (kubectl >= 1.30) or SPDY/3.1 v4.channel.k8s.io (older kubectl), and `kubectl drain` evicts
// through pods/eviction with PodDisruptionBudget checks. Root only (binds 127.N.0.x, runs etcd);
// skipped without Google's kubectl package. Cost: ~2 min on 2 idle cores (cluster ~40 s, the
// blocked drain's 20 s timeout, the rest a few seconds each).
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../src/common/wait';
import { CRI_SOCKET, LoopbackCluster, loopbackSkipReason, type LoopbackHost } from './loopback-cluster';
import { initConfig, joinConfig } from './loopback-configs';

const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
/** kubectl 1.33 speaks WebSocket v5 first; 1.28 only SPDY. */
const WEBSOCKET_KUBECTL = `${KUBECTL_DIR}/kubectl.1.33`;
const SPDY_KUBECTL = `${KUBECTL_DIR}/kubectl.1.28`;

const skip = loopbackSkipReason() ?? ([WEBSOCKET_KUBECTL, SPDY_KUBECTL].every((f) => fs.existsSync(f)) ? undefined : `needs Google's kubectl package (${WEBSOCKET_KUBECTL}, ${SPDY_KUBECTL})`);
if (skip) console.warn(`\n*** SKIPPED real kubectl exec/drain: ${skip} ***\n`);

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

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      tolerations:
      - {key: node-role.kubernetes.io/control-plane, effect: NoSchedule}
      containers:
      - {name: web, image: registry.k8s.io/pause:3.10}
`;

const WEB_PDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: default
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
`;

interface PodView {
  namespace: string;
  name: string;
  node?: string;
  phase?: string;
}

describe.skipIf(skip !== undefined).sequential('real kubectl: exec and drain against the stand-ins', () => {
  const lab = new LoopbackCluster({ kubeadmVersion: 'v1.33.2' });
  let m1: LoopbackHost, w1: LoopbackHost;
  let kubeconfig = '';
  let etcdctl: string[] = [];

  const kubectl = (binary: string, args: string[], timeoutMs = 60_000) => execa(binary, ['--kubeconfig', kubeconfig, ...args], { reject: false, timeout: timeoutMs, env: { HOME: lab.dir } });
  const kubeletLog = (host: LoopbackHost): string => fs.readFileSync(path.join(host.root, 'var/log/kumi-standins/kubelet.log'), 'utf8');
  const pods = async (): Promise<PodView[]> => {
    const res = await kubectl(WEBSOCKET_KUBECTL, ['get', '--raw', '/api/v1/pods']);
    return (JSON.parse(res.stdout) as { items: { metadata: { namespace: string; name: string }; spec: { nodeName?: string }; status: { phase?: string } }[] }).items.map((p) => ({ namespace: p.metadata.namespace, name: p.metadata.name, node: p.spec.nodeName, phase: p.status.phase }));
  };
  /** Waits (up to 60 s) until both pods of Deployment web run. */
  const webPodsRunning = async (): Promise<boolean> =>
    (await pollUntil(async () => ((await pods()).filter((p) => p.name.startsWith('web-') && p.phase === 'Running').length === 2 ? true : undefined), 60_000, 500)) === true;
  beforeAll(async () => {
    m1 = await lab.host('master1', 11);
    w1 = await lab.host('worker1', 21);
    const init = await lab.run(m1, 'kubeadm', ['init', '--config', lab.file('init.yaml', initConfig({ ip: m1.ip, vip: m1.ip, kubernetesVersion: 'v1.33.2', criSocket: `unix://${CRI_SOCKET}` }))]);
    expect(init.exitCode, String(init.stderr)).toBe(0);
    const hash = /--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/.exec(String(init.stdout))?.[1] ?? '';
    const join = await lab.run(w1, 'kubeadm', ['join', '--config', lab.file('w1.yaml', joinConfig({ vip: m1.ip, name: 'worker1', hash }))]);
    expect(join.exitCode, String(join.stderr)).toBe(0);
    const flannel = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'kube-flannel.yml'), 'utf8');
    expect((await lab.run(m1, 'kubectl', ['apply', '-f', '-'], { input: flannel })).exitCode).toBe(0);
    const ready = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=60s']);
    expect(ready.exitCode, String(ready.stderr)).toBe(0);
    kubeconfig = path.join(m1.root, 'etc/kubernetes/admin.conf');
    const pki = path.join(m1.root, 'etc/kubernetes/pki/etcd');
    etcdctl = ['etcdctl', `--endpoints=https://${m1.ip}:2379`, `--cacert=${pki}/ca.crt`, `--cert=${pki}/healthcheck-client.crt`, `--key=${pki}/healthcheck-client.key`];
  }, 240_000);

  afterAll(async () => {
    await lab.destroy();
  }, 30_000);

  for (const [binary, protocol] of [[WEBSOCKET_KUBECTL, 'v5.channel.k8s.io'], [SPDY_KUBECTL, 'v4.channel.k8s.io']] as const) {
    it(`${path.basename(binary)} execs etcdctl in the etcd pod over ${protocol}: stdout and exit 0`, async () => {
      const res = await kubectl(binary, ['-n', 'kube-system', 'exec', 'etcd-master1', '--', ...etcdctl, 'member', 'list']);
      expect(res.exitCode, res.stderr).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^[0-9a-f]+, started, master1, https://${m1.ip.replaceAll('.', '\\.')}:2380, https://${m1.ip.replaceAll('.', '\\.')}:2379, false$`));
      expect(res.stderr).toBe('');
      expect(kubeletLog(m1)).toContain(`exec in kube-system/etcd-master1/etcd: etcdctl (${protocol})`);
    }, 60_000);

    it(`${path.basename(binary)}: the remote exit code becomes kubectl's, stderr stays apart from stdout`, async () => {
      const res = await kubectl(binary, ['-n', 'kube-system', 'exec', 'etcd-master1', '--', ...etcdctl, 'put']);
      expect(res.exitCode).toBe(128);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe('Error: put command needs 1 argument and input from stdin or 2 arguments\ncommand terminated with exit code 128');
    }, 60_000);

    it(`${path.basename(binary)}: stdin reaches the command (-i), and a program the image lacks is containerd's error`, async () => {
      const put = await execa(binary, ['--kubeconfig', kubeconfig, '-n', 'kube-system', 'exec', '-i', 'etcd-master1', '--', ...etcdctl, 'put', 'greeting'], { input: 'hello from stdin', reject: false, timeout: 60_000, env: { HOME: lab.dir } });
      expect(put.exitCode, put.stderr).toBe(0);
      expect(put.stdout).toBe('OK');
      const get = await kubectl(binary, ['-n', 'kube-system', 'exec', 'etcd-master1', '--', ...etcdctl, 'get', 'greeting', '--print-value-only']);
      expect(get.stdout).toBe('hello from stdin');
      const shell = await kubectl(binary, ['-n', 'kube-system', 'exec', 'etcd-master1', '--', 'sh', '-c', 'true']);
      expect(shell.exitCode).toBe(1);
      expect(shell.stderr).toMatch(/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in \$PATH: unknown$/);
    }, 60_000);
  }

  it('exec nslookup in the dnsutils pod answers from the cluster DNS, NXDOMAIN exits 1', async () => {
    expect((await lab.run(m1, 'kubectl', ['apply', '-f', '-'], { input: DNSUTILS })).exitCode).toBe(0);
    const ready = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'pod/kumi-dnsutils', '--timeout=60s']);
    expect(ready.exitCode, String(ready.stderr)).toBe(0);
    const found = await kubectl(WEBSOCKET_KUBECTL, ['exec', 'kumi-dnsutils', '--', 'nslookup', 'kubernetes.default']);
    expect(found.exitCode, found.stderr).toBe(0);
    expect(found.stdout).toBe('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n');
    const missing = await kubectl(SPDY_KUBECTL, ['exec', 'kumi-dnsutils', '--', 'nslookup', 'nosuch.default']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain("** server can't find nosuch.default: NXDOMAIN");
    expect(missing.stderr).toBe('command terminated with exit code 1');
    // An unmanaged pod would stop the drains below (drain needs --force for it).
    expect((await lab.run(m1, 'kubectl', ['delete', 'pod', 'kumi-dnsutils'])).exitCode).toBe(0);
  }, 120_000);

  it('drain evicts the node\'s pods; the Deployment\'s replacements run on the other node', async () => {
    expect((await lab.run(m1, 'kubectl', ['apply', '-f', '-'], { input: WEB })).exitCode).toBe(0);
    expect(await webPodsRunning()).toBe(true);
    const onWorker = (await pods()).filter((p) => p.node === 'worker1' && (p.name.startsWith('web-') || p.name.startsWith('coredns-')));
    expect(onWorker.length).toBeGreaterThan(0);
    const drain = await kubectl(WEBSOCKET_KUBECTL, ['drain', 'worker1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], 90_000);
    expect(drain.exitCode, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('node/worker1 cordoned');
    for (const pod of onWorker) {
      expect(drain.stdout).toContain(`evicting pod ${pod.namespace}/${pod.name}`);
      expect(drain.stdout).toContain(`pod/${pod.name} evicted`);
    }
    expect(drain.stdout).toContain('node/worker1 drained');
    expect(drain.stderr).toMatch(/Warning: ignoring DaemonSet-managed Pods: .*kube-flannel\/kube-flannel-ds-/);
    const after = await pods();
    expect(after.filter((p) => p.node === 'worker1' && !p.name.startsWith('kube-flannel-ds-') && !p.name.startsWith('kube-proxy-'))).toEqual([]);
    expect(await webPodsRunning()).toBe(true);
    expect((await pods()).filter((p) => p.name.startsWith('web-')).map((p) => [p.node, p.phase])).toEqual([['master1', 'Running'], ['master1', 'Running']]);
  }, 180_000);

  it('a PDB that allows no disruption: drain retries the 429 every 5 s until its timeout, then fails', async () => {
    expect((await kubectl(WEBSOCKET_KUBECTL, ['uncordon', 'worker1'])).exitCode).toBe(0);
    expect((await lab.run(m1, 'kubectl', ['apply', '-f', '-'], { input: WEB_PDB })).exitCode).toBe(0);
    const pdb = await kubectl(WEBSOCKET_KUBECTL, ['get', '--raw', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web']);
    expect(JSON.parse(pdb.stdout).status).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2 });
    const drain = await kubectl(WEBSOCKET_KUBECTL, ['drain', 'master1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=12s'], 60_000);
    expect(drain.exitCode).toBe(1);
    const retries = drain.stderr.match(/error when evicting pods\/"web-[0-9a-z-]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./g) ?? [];
    expect(retries.length).toBeGreaterThanOrEqual(4);
    expect(drain.stderr).toMatch(/error: unable to drain node "master1" due to error: .*global timeout reached: 12s/);
    expect((await pods()).filter((p) => p.name.startsWith('web-')).map((p) => p.node)).toEqual(['master1', 'master1']);
    expect((await kubectl(WEBSOCKET_KUBECTL, ['uncordon', 'master1'])).stdout).toBe('node/master1 uncordoned');
  }, 120_000);
});
