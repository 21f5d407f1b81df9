// The lab's kubectl is the machine's real kubectl (issue #14): a lab built as the demo builds
// it (the seed topology, examples/seed-ha.yaml, `kumi up`), then the real kubectl in master1
// runs what an operator and kumi's steps run, with the output a real cluster gives.
// Root only, with a real kubectl in /usr/lib/google-cloud-sdk/bin; skipped loudly otherwise.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realKubectlFor } from '@kumi/lab-standins/packages/kubectl-client';
import { untilKubectlAnswered } from '@kumi/lab-standins/packages/kubectl-request-log';
import { labClusterFixture, REPO_ROOT, type LabCluster } from '../src/cluster';
import { ADMIN } from '../src/e2e/cluster-facts';
import { killKumiRuns, runKumiStreaming } from '../src/e2e/kumi-run';
import { failureSummary, parseProgressStream } from '../src/e2e/progress-records';
import { provisionSeedExtras } from '../src/e2e/seed-extras';
import { inHost, spawnInHost } from '../src/in-host';
import { seedTopology } from '../src/topology';
import { labSkipReason } from './lab-checks';

// examples/seed-ha.yaml is Kubernetes 1.33: the lab's kubectl package installs kubectl.1.33.
const EXPECTED_KUBECTL = realKubectlFor(33);
const skip = labSkipReason() ?? (EXPECTED_KUBECTL === undefined || process.env.KUMI_LAB_KUBECTL === 'standin' ? 'no real kubectl for Kubernetes 1.33 on this machine, or KUMI_LAB_KUBECTL=standin' : undefined);
if (skip) console.warn(`\n*** SKIPPED: real kubectl in the lab (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-real-kubectl-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
const STATE_DIR = `/var/tmp/kumi-lab-test-real-kubectl-state-${process.pid}`;
const SPEC = path.join(REPO_ROOT, 'examples/seed-ha.yaml');
const ATTACH = ['--attach-timeout', '90s'];

describe.skipIf(skip)('the real kubectl in a lab built as the demo does', () => {
  const lab = labClusterFixture();
  let cluster: LabCluster | undefined;
  let built = false;
  const run = async (host: string, argv: string[], timeoutMs = 60_000) => {
    const res = await inHost(host, argv, { timeoutMs });
    // inHost strips the final newline of each stream.
    return { exitCode: res.exitCode, stdout: String(res.stdout ?? ''), stderr: String(res.stderr ?? '') };
  };
  const kubectl = (args: string[], timeoutMs = 60_000) => run('master1', ['kubectl', ...ADMIN, ...args], timeoutMs);
  const kumi = (args: string[], timeoutMs: number) => runKumiStreaming(cluster!.bundles.kumi, STATE_DIR, args, { timeoutMs });

  beforeAll(async () => {
    cluster = await lab.start({ topology: seedTopology(), stateDir: STATE_DIR, serve: false, removeStateDir: false, clusterName: 'real-kubectl' });
    await provisionSeedExtras(cluster.topology);
  }, 180_000);

  afterAll(async () => {
    killKumiRuns();
    try {
      await lab.stop();
    } finally {
      rmSync(STATE_DIR, { recursive: true, force: true });
      rmSync(LAB_DIR, { recursive: true, force: true });
    }
  }, 120_000);

  it('kumi up builds the cluster with the real kubectl installed by the kubectl package', async () => {
    const up = await kumi(['up', SPEC, '--yes', '--json', ...ATTACH, '--skip', 'drill'], 12 * 60_000);
    expect(up.exitCode, failureSummary(up.events, up.stderr)).toBe(0);
    expect(parseProgressStream(up.stdout).at(-1)?.kind).toBe('RUN_DONE');
    for (const host of ['master1', 'master2', 'master3', 'worker1']) {
      const link = await run(host, ['readlink', '/usr/bin/kubectl']);
      expect(link.stdout.trim(), `${host}'s kubectl`).toBe(EXPECTED_KUBECTL);
    }
    const version = await kubectl(['version', '--client']);
    expect(version.stdout).toMatch(/^Client Version: v1\.33\.\d+$/m);
    built = true;
  }, 13 * 60_000);

  it('get nodes -o wide: every node Ready with its role, version and address', async () => {
    expect(built).toBe(true);
    const res = await kubectl(['get', 'nodes', '-o', 'wide']);
    expect(res.exitCode, res.stderr).toBe(0);
    const [header, ...rows] = res.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    const byName = new Map(rows.map((r) => [r.split(/\s+/)[0], r.split(/\s+/)]));
    expect([...byName.keys()].sort()).toEqual(['master1', 'master2', 'master3', 'worker1']);
    expect(byName.get('master1')?.slice(1, 3)).toEqual(['Ready', 'control-plane']);
    expect(byName.get('worker1')?.slice(1, 3)).toEqual(['Ready', '<none>']);
    expect(byName.get('master1')?.[5]).toBe('192.0.2.21');
    expect(byName.get('worker1')?.[5]).toBe('192.0.2.31');
  });

  it('get pods -A: control-plane, flannel and CoreDNS pods Running and ready', async () => {
    expect(built).toBe(true);
    const res = await kubectl(['get', 'pods', '-A']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    for (const pod of ['kube-apiserver-master1', 'etcd-master3']) expect(res.stdout).toMatch(new RegExp(`\\nkube-system\\s+${pod}\\s+1/1\\s+Running\\s+0\\s+`));
    expect(res.stdout.match(/\nkube-flannel\s+kube-flannel-ds-\w+\s+1\/1\s+Running\s/g)).toHaveLength(4);
    expect(res.stdout.match(/\nkube-system\s+coredns-\w+-\w+\s+1\/1\s+Running\s/g)).toHaveLength(2);
  });

  it('api-resources lists the served kinds', async () => {
    expect(built).toBe(true);
    const res = await kubectl(['api-resources']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/\nnodes\s+no\s+v1\s+false\s+Node\n/);
    expect(res.stdout).toMatch(/\ndaemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet\n/);
  });

  it('apply -f the flannel manifest cni.flannel rendered: unchanged, then wait --for=condition=Ready', async () => {
    expect(built).toBe(true);
    const apply = await kubectl(['apply', '-f', '/etc/kumi/flannel/kube-flannel.yml']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/^daemonset\.apps\/kube-flannel-ds unchanged$/m);
    const wait = await kubectl(['-n', 'kube-flannel', 'wait', '--for=condition=Ready', 'pods', '-l', 'app=flannel', '--timeout=30s']);
    expect(wait.exitCode, wait.stderr).toBe(0);
    expect(wait.stdout.match(/^pod\/kube-flannel-ds-\w+ condition met$/gm)).toHaveLength(4);
    const nodes = await kubectl(['wait', '--for=condition=Ready', 'node/master1', 'node/worker1', '--timeout=30s']);
    expect(nodes.stdout).toBe('node/master1 condition met\nnode/worker1 condition met');
  });

  it('rollout restart replaces the CoreDNS pods; wait --for=delete sees an old one go', async () => {
    expect(built).toBe(true);
    const before = JSON.parse((await kubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };
    const old = before.items.map((p) => p.metadata.name);
    expect(old).toHaveLength(2);
    // The wait must have read the pod before the restart can delete it: kubeadm's CoreDNS
    // Deployment allows maxUnavailable 1, so the controller deletes an old pod at once, and a
    // `wait --for=delete` whose first GET finds no pod succeeds printing nothing.
    const gone = spawnInHost('master1', ['kubectl', ...ADMIN, '-v=6', '-n', 'kube-system', 'wait', '--for=delete', `pod/${old[0]}`, '--timeout=60s'], { timeoutMs: 90_000 });
    await untilKubectlAnswered(gone, old[0]!);
    const restart = await kubectl(['-n', 'kube-system', 'rollout', 'restart', 'deployment/coredns']);
    expect(restart.stdout).toBe('deployment.apps/coredns restarted');
    const waited = await gone;
    expect(waited.exitCode, waited.stderr).toBe(0);
    expect(waited.stdout).toBe(`pod/${old[0]} condition met`);
    const ready = await kubectl(['-n', 'kube-system', 'wait', '--for=condition=Ready', 'pods', '-l', 'k8s-app=kube-dns', '--timeout=60s'], 90_000);
    expect(ready.exitCode, ready.stderr).toBe(0);
    const after = JSON.parse((await kubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };
    expect(after.items).toHaveLength(2);
    expect(after.items.filter((p) => old.includes(p.metadata.name))).toEqual([]);
  }, 3 * 60_000);

  it('drain evicts a worker\'s pods (kumi-dnsutils has no controller: --force), uncordon makes it schedulable again', async () => {
    expect(built).toBe(true);
    const drain = await kubectl(['drain', 'worker1', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=120s'], 180_000);
    expect(drain.exitCode, drain.stderr).toBe(0);
    expect(drain.stdout).toMatch(/^node\/worker1 cordoned$/m);
    expect(drain.stdout).toMatch(/^node\/worker1 drained$/m);
    const pods = JSON.parse((await kubectl(['get', 'pods', '-A', '-o', 'json'])).stdout) as { items: { metadata: { ownerReferences?: { kind: string }[] }; spec: { nodeName?: string } }[] };
    const left = pods.items.filter((p) => p.spec.nodeName === 'worker1' && !p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet'));
    expect(left).toEqual([]);
    const uncordon = await kubectl(['uncordon', 'worker1']);
    expect(uncordon.stdout).toBe('node/worker1 uncordoned');
  }, 4 * 60_000);

  it('kumi verify is all green with the real kubectl (exec nslookup included)', async () => {
    expect(built).toBe(true);
    const verify = await kumi(['verify', SPEC, '--json', ...ATTACH], 3 * 60_000);
    expect(verify.exitCode, failureSummary(verify.events, verify.stderr)).toBe(0);
  }, 4 * 60_000);
});
