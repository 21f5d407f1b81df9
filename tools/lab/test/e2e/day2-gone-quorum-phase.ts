// The last phases of the #12 chain (day2.test.ts), cheap ones on the cluster the chain left
// (control planes master1, master2, master4; worker worker1):
// - a dead host: worker1 is powered off hard (the lab's `kumi-lab kill`); `kumi remove worker1`
//   without --unreachable gives up after its attach wait naming the flag, with it the other
//   members delete the Node, nothing runs on worker1, and the output says what to do if it
//   comes back;
// - quorum with the real etcd: master2's etcd is stopped (its static pod manifest parked, as
//   the kubelet then stops it), so removing master4 and master2 at once would leave etcd with
//   one healthy member of two: `kumi remove` exits 2 with the quorum reason before any step,
//   and the nodes and etcd members are as before.
import { expect } from 'vitest';
import { etcdMemberNames, nodeNames } from '../../src/e2e/cluster-facts';
import { failureSummary } from '../../src/e2e/progress-records';
import { killHost } from '../../src/host-lifecycle';
import { inCoordinator, inHost } from '../../src/in-host';
import { readLabState } from '../../src/lab-state';
import type { Day2Context, SpecHost } from './day2-context';

/** A short attach wait for runs that are expected to give up waiting. */
const SHORT_ATTACH = ['--attach-timeout', '5s'];

const remove = (ctx: Day2Context, hosts: string[], extra: string[] = []) => ctx.kumi(['remove', ...hosts, ctx.specPath, '--yes', '--json', ...extra], { timeoutMs: 3 * 60_000 });

/** Powers worker1 off hard, then removes it: first without --unreachable (exit 4 naming it), then with it. */
export async function goneHostPhase(ctx: Day2Context): Promise<void> {
  const record = readLabState()?.hosts['worker1'];
  expect(record, 'the lab has no running worker1').toBeDefined();
  await killHost(record!);
  ctx.editSpec((spec) => void (spec.spec.hosts = spec.spec.hosts.filter((host) => host.name !== 'worker1')));

  const waited = await remove(ctx, ['worker1'], SHORT_ATTACH);
  expect(waited.exitCode, waited.stderr).toBe(4);
  expect(waited.stderr).toMatch(/the agent of worker1 did not attach within 5s.*Nothing was changed.*kumi remove worker1 .* --unreachable/);
  expect(waited.events.filter((event) => event.kind === 'START')).toEqual([]);
  expect(await nodeNames('master1')).toContain('worker1');

  // `kumi plan` prints text: run it directly. Nothing runs on worker1; it is not drained.
  const plan = await inCoordinator([process.execPath, ctx.cluster.bundles.kumi, 'plan', '--for', 'remove', '--host', 'worker1', '--unreachable', ctx.specPath], { env: { KUMI_STATE_DIR: ctx.stateDir, NO_COLOR: '1' } });
  expect(plan.exitCode, String(plan.stderr)).toBe(0);
  expect(String(plan.stdout)).toContain('delete-node-worker1/kube.node-delete@master1');
  expect(String(plan.stdout)).not.toMatch(/kube\.drain|kubeadm\.reset|@worker1\b/);

  const gone = await remove(ctx, ['worker1'], ['--unreachable', ...ctx.attachArgs]);
  expect(gone.exitCode, failureSummary(gone.events, gone.stderr)).toBe(0);
  expect(gone.events.filter((event) => event.host === 'worker1' && event.kind === 'START')).toEqual([]);
  expect(gone.events.filter((event) => event.step === 'kube.node-delete' && event.kind === 'DONE').map((event) => event.host)).toEqual(['master1']);
  expect(gone.events.find((event) => event.kind === 'RUN_DONE')?.text).toMatch(/if worker1 ever comes back, run `kubeadm reset -f` on it/);
  expect(await nodeNames('master1')).not.toContain('worker1');
}

/** Waits (bounded) until nothing listens on etcd's client port in `host`. */
async function etcdStopped(host: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const listening = await inHost(host, ['ss', '-Hltn', 'sport = :2379'], { timeoutMs: 5000 });
    if (String(listening.stdout).trim() === '') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`etcd on ${host} still listens 30 s after its manifest was parked`);
}

/**
 * With master2's etcd stopped, `kumi remove master2 master4` (last joined first: master4
 * would go first and leave master1 and the stopped master2) is refused with the quorum
 * reason: exit 2, no step started, nodes and etcd members unchanged. The spec and master2's
 * etcd are put back afterwards.
 */
export async function quorumPhase(ctx: Day2Context): Promise<void> {
  const before = { nodes: await nodeNames('master1'), members: await etcdMemberNames('master1') };
  expect(before.members).toEqual(['master1', 'master2', 'master4']);
  const kept: SpecHost[] = ctx.readSpec().spec.hosts.filter((host) => ['master2', 'master4'].includes(host.name));
  const parked = '/etc/kubernetes/etcd.yaml.kumi-test-parked';
  await inHost('master2', ['mv', '/etc/kubernetes/manifests/etcd.yaml', parked], { reject: true });
  try {
    await etcdStopped('master2');
    ctx.editSpec((spec) => void (spec.spec.hosts = spec.spec.hosts.filter((host) => !['master2', 'master4'].includes(host.name))));
    const refused = await remove(ctx, ['master2', 'master4'], [...ctx.attachArgs]);
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/removing master4 would lose etcd quorum: the 2 member\(s\) left would have 1 healthy, fewer than the 2 etcd needs for quorum \(unhealthy: master2\)\. Nothing was changed\. Fix: bring the unhealthy members back/);
    expect(refused.events.filter((event) => event.kind === 'START')).toEqual([]);
    expect({ nodes: await nodeNames('master1'), members: await etcdMemberNames('master1') }).toEqual(before);
  } finally {
    ctx.editSpec((spec) => void spec.spec.hosts.push(...kept.filter((host) => !spec.spec.hosts.some((candidate) => candidate.name === host.name))));
    await inHost('master2', ['mv', parked, '/etc/kubernetes/manifests/etcd.yaml']);
  }
}
