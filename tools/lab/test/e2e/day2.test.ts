// The #12 acceptance chain in the lab, one cluster changed by each phase in turn: build load
// balancers + one control plane + one worker → add two control planes and a worker (kumi up is
// convergent) → replace master3 by master4 (add, then kumi remove) → remove a worker, with the
// coordinator SIGKILLed in the middle of the removal and rerun. After each phase the nodes (kubectl
// get nodes -o json) and the etcd members (etcdctl member list) are exactly the spec's, and no run
// joined a host twice (journal). Then, on the same cluster: upgrade one minor through a
// coordinator SIGKILL with the API probed through the VIP every 200 ms (day2-upgrade-phase.ts),
// renew the certificates and take an etcd backup (day2-certs-backup-phase.ts); then a dead
// worker removed with --unreachable, and a removal of two control planes refused for etcd
// quorum with one member stopped (day2-gone-quorum-phase.ts). Root only; skipped loudly otherwise.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labClusterFixture } from '../../src/cluster';
import { etcdMemberNames, healthzThroughVip, nodeNames } from '../../src/e2e/cluster-facts';
import { killKumiRuns, type KumiRunResult } from '../../src/e2e/kumi-run';
import { eventsOf, failureSummary, type ProgressRecord } from '../../src/e2e/progress-records';
import { provisionSeedExtras } from '../../src/e2e/seed-extras';
import { inHost } from '../../src/in-host';
import { labSkipReason } from '../lab-checks';
import { backupPhase, certsPhase } from './day2-certs-backup-phase';
import { goneHostPhase, quorumPhase } from './day2-gone-quorum-phase';
import { createDay2Context, type Day2Context, type Day2KumiOptions, type Day2Spec, day2Topology, labAddress } from './day2-context';
import { upgradePhase } from './day2-upgrade-phase';

const skip = labSkipReason();
if (skip) console.warn(`\n*** SKIPPED: kumi day-2 end-to-end lab chain (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-e2e-day2-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
const STATE_DIR = `/var/tmp/kumi-lab-test-e2e-day2-state-${process.pid}`;
const SPEC_FILE = `/var/tmp/kumi-lab-test-e2e-day2-spec-${process.pid}.yaml`;
const topology = day2Topology();

/** The spec's entry of a lab host. */
const specHost = (name: string, role: 'control-plane' | 'worker' | 'loadbalancer') => ({ name, address: labAddress(topology, name), roles: [role] });
const addHosts = (spec: Day2Spec, hosts: ReturnType<typeof specHost>[]) => {
  spec.spec.hosts.push(...hosts);
};
const dropHost = (spec: Day2Spec, name: string) => {
  spec.spec.hosts = spec.spec.hosts.filter((host) => host.name !== name);
};

describe.skipIf(skip)('day 2 in the lab: grow, replace a control plane, shrink', () => {
  const lab = labClusterFixture();
  let ctx: Day2Context;
  /** Set by each phase that passed: a later phase needs the cluster its predecessor left. */
  const passed = new Set<string>();
  const need = (phase: string) => expect(passed.has(phase), `phase "${phase}" failed before this one: see its error`).toBe(true);
  const up = (opts: Day2KumiOptions = {}) => ctx.kumi(['up', ctx.specPath, '--yes', '--json', ...ctx.attachArgs], { timeoutMs: 8 * 60_000, ...opts });
  const remove = (hosts: string[], opts: Day2KumiOptions = {}) => ctx.kumi(['remove', ...hosts, ctx.specPath, '--yes', '--json', ...ctx.attachArgs], { timeoutMs: 6 * 60_000, ...opts });

  /**
   * `kumi up` until it succeeds, at most twice: on this shared 2-core machine a new node can
   * take longer than the join stage's 180 s nodes-ready bound, and the documented fix is to run
   * kumi up again (convergent). A rerun is said in the timings; any other failure fails at once.
   */
  const upConverged = async (): Promise<KumiRunResult[]> => {
    const first = await up();
    if (first.exitCode === 0 || !/not ready \(nodes-ready/.test(failureSummary(first.events, first.stderr))) return [first];
    ctx.timings.push(`kumi up rerun after: ${failureSummary(first.events, first.stderr).split('\n')[0]}`);
    return [first, await up()];
  };

  /** Nodes and etcd members exactly as the spec says, asked of a control plane that stays. */
  const expectClusterAsSpec = async () => {
    const controlPlanes = ctx.hostsWithRole('control-plane');
    const nodes = [...controlPlanes, ...ctx.hostsWithRole('worker')].sort();
    const via = controlPlanes[0]!;
    expect(await nodeNames(via)).toEqual(nodes);
    expect(await etcdMemberNames(via)).toEqual(controlPlanes);
    expect(await healthzThroughVip(ctx.vip)).toBe('ok');
  };

  /** The backends HAProxy on a load balancer is configured with. */
  const haproxyBackends = async (lb: string) => {
    const config = await inHost(lb, ['cat', '/etc/haproxy/haproxy.cfg']);
    return [...String(config.stdout).matchAll(/^\s*server\s+(\S+)\s/gm)].map((match) => match[1]).sort();
  };

  beforeAll(async () => {
    const cluster = await lab.start({ topology, stateDir: STATE_DIR, serve: false, removeStateDir: false, clusterName: 'day2' });
    await provisionSeedExtras(cluster.topology);
    ctx = createDay2Context(cluster, SPEC_FILE, (spec) => {
      spec.spec.hosts = [specHost('lb1', 'loadbalancer'), specHost('lb2', 'loadbalancer'), specHost('master1', 'control-plane'), specHost('worker1', 'worker')];
      // One minor below the lab's newest offered, so the upgrade phase has a minor to move to.
      spec.spec.kubernetes.version = '1.32.2';
      // The failover drill needs three control planes; the chain starts with one.
      spec.spec['drill'] = { enabled: false };
    });
  }, 240_000);

  afterAll(async () => {
    if (ctx) console.log(`kumi day-2 e2e timings:\n  ${ctx.timings.join('\n  ')}`);
    killKumiRuns();
    try {
      await lab.stop();
    } finally {
      rmSync(STATE_DIR, { recursive: true, force: true });
      rmSync(LAB_DIR, { recursive: true, force: true });
      rmSync(SPEC_FILE, { force: true });
    }
  }, 120_000);

  it('builds load balancers, one control plane and one worker; refuses to remove the last control plane or an unknown host (exit 2)', async () => {
    const run = (await upConverged()).at(-1)!;
    expect(run.exitCode, failureSummary(run.events, run.stderr)).toBe(0);
    await expectClusterAsSpec();
    const last = await remove(['master1']);
    expect(last.exitCode, last.stderr).toBe(2);
    expect(last.stderr).toMatch(/removing master1 would remove the last control plane of .*Fix: add another control plane to the spec and run `kumi up` first/);
    const unknown = await remove(['worker9']);
    expect(unknown.exitCode, unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/worker9 is not in cluster .*Fix: check the name/);
    // Refused before anything was sent: no step ran.
    expect([...last.events, ...unknown.events].filter((event) => event.kind === 'START')).toEqual([]);
    passed.add('build');
  }, 10 * 60_000);

  it('grows: two control planes join one at a time, each after a fresh certificate upload, a worker joins, HAProxy follows with a reload', async () => {
    need('build');
    ctx.editSpec((spec) => addHosts(spec, [specHost('master2', 'control-plane'), specHost('master3', 'control-plane'), specHost('worker2', 'worker')]));
    const runs = await upConverged();
    const last = runs.at(-1)!;
    expect(last.exitCode, failureSummary(last.events, last.stderr)).toBe(0);
    // The control planes and HAProxy were done by the first run (their stages come before the workers').
    const run = runs[0]!;
    await expectClusterAsSpec();
    for (const lb of ['lb1', 'lb2']) expect(await haproxyBackends(lb)).toEqual(['master1', 'master2', 'master3']);
    // HAProxy took the new backends by a reload (its workers hand over, the VIP and open connections stay).
    const lbLines = run.events.filter((event) => event.step === 'lb.haproxy').map((event) => event.text ?? '');
    expect(lbLines.some((text) => /systemctl reload haproxy/.test(text)), lbLines.join('\n')).toBe(true);
    expect(lbLines.filter((text) => /systemctl (restart|stop) haproxy/.test(text))).toEqual([]);
    // One control plane at a time, a certificate upload before the first of this run.
    const joinOf = (host: string, kind: string) => run.events.find((event) => event.step === 'kubeadm.join' && event.host === host && event.kind === kind);
    expect(joinOf('master2', 'DONE')!.seq).toBeLessThan(joinOf('master3', 'START')!.seq);
    // master2's lane: the certificates uploaded under a fresh key on master1 (this process knew no key), then its join.
    const upload = run.events.find((event) => event.step === 'kubeadm.upload-certs' && event.host === 'master2' && event.kind === 'DONE');
    expect(upload, 'no certificate upload before the control-plane joins of this run').toBeDefined();
    expect(upload!.seq).toBeLessThan(joinOf('master2', 'START')!.seq);
    // Already-joined hosts were not joined again.
    for (const host of ['master1', 'worker1']) expect(runs.flatMap((one) => eventsOf(one.events, 'kubeadm.join', host)).filter((event) => event.kind === 'DONE')).toEqual([]);
    passed.add('grow');
  }, 12 * 60_000);

  it('replaces master3 by master4: master4 joins, then kumi remove takes master3 out of HAProxy, etcd and the cluster', async () => {
    need('grow');
    ctx.editSpec((spec) => addHosts(spec, [specHost('master4', 'control-plane')]));
    const grown = (await upConverged()).at(-1)!;
    expect(grown.exitCode, failureSummary(grown.events, grown.stderr)).toBe(0);
    // Still in the spec: kumi remove refuses, naming the fix.
    const early = await remove(['master3']);
    expect(early.exitCode, early.stderr).toBe(2);
    expect(early.stderr).toMatch(/master3 is still in the spec.*Fix: delete master3 from spec\.hosts first/);
    ctx.editSpec((spec) => dropHost(spec, 'master3'));
    const run = await remove(['master3']);
    expect(run.exitCode, failureSummary(run.events, run.stderr)).toBe(0);
    const done = (step: string) => run.events.filter((event) => event.step === step && (event.kind === 'DONE' || event.kind === 'NOOP')).map((event) => event.host);
    expect(done('kube.drain')).toEqual(['master1']);
    expect(done('etcd.member-remove')).toEqual(['master1']);
    expect(done('kubeadm.reset')).toEqual(['master3']);
    expect(done('kube.node-delete')).toEqual(['master1']);
    await expectClusterAsSpec();
    for (const lb of ['lb1', 'lb2']) expect(await haproxyBackends(lb)).toEqual(['master1', 'master2', 'master4']);
    // The next kumi up finds nothing to remove and nothing to join.
    const again = (await upConverged()).at(-1)!;
    expect(again.exitCode, failureSummary(again.events, again.stderr)).toBe(0);
    expect(again.events.filter((event) => event.step === 'kubeadm.join' && event.kind === 'DONE')).toEqual([]);
    expect(again.events.filter((event) => /no longer lists/.test(event.text ?? ''))).toEqual([]);
    passed.add('replace');
  }, 15 * 60_000);

  it('removes a worker through a SIGKILL of the coordinator in the middle of the removal: the rerun converges', async () => {
    need('replace');
    ctx.editSpec((spec) => dropHost(spec, 'worker2'));
    // kumi up names the dropped worker and leaves it in.
    const named = (await upConverged()).at(-1)!;
    expect(named.exitCode, failureSummary(named.events, named.stderr)).toBe(0);
    expect(named.events.some((event) => /worker2 joined the cluster but the spec no longer lists/.test(event.text ?? ''))).toBe(true);
    expect(await nodeNames('master1')).toContain('worker2');
    const killed = await remove(['worker2'], { onEvent: (event: ProgressRecord, control) => (event.kind === 'START' && event.step === 'kubeadm.reset' ? control.kill() : undefined) });
    expect(killed.killed, `kumi remove should have been killed at kubeadm.reset, but it ended (exit ${killed.exitCode}):\n${failureSummary(killed.events, killed.stderr)}`).toBe(true);
    const rerun = await remove(['worker2']);
    expect(rerun.exitCode, failureSummary(rerun.events, rerun.stderr)).toBe(0);
    await expectClusterAsSpec();
    // Once removed, naming it again is a noop, not an error.
    const third = await remove(['worker2']);
    expect(third.exitCode, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/worker2 already removed/);
    passed.add('shrink');
  }, 10 * 60_000);

  it('upgrades one minor through a SIGKILL of the coordinator, the API answering through the VIP', async () => {
    need('shrink');
    const result = await upgradePhase(ctx);
    console.log(`longest API gap through the VIP during the upgrade: ${result.longestGapMs} ms (${result.failedProbes}/${result.probes} probes failed)`);
    expect(result.probes).toBeGreaterThan(10);
    expect(result.longestGapMs).toBeLessThan(10_000);
    passed.add('upgrade');
  }, 30 * 60_000);

  it('shows the certificates, renews them one control plane at a time, and takes an etcd backup', async () => {
    need('upgrade');
    await certsPhase(ctx);
    await backupPhase(ctx);
    passed.add('certs-backup');
  }, 15 * 60_000);

  it('removes a dead worker only when told it is gone (--unreachable), from the other members', async () => {
    need('certs-backup');
    await goneHostPhase(ctx);
    await expectClusterAsSpec();
    passed.add('gone');
  }, 5 * 60_000);

  it('refuses to remove two control planes at once when etcd would lose quorum (real etcd, one member stopped): exit 2, nothing changed', async () => {
    need('gone');
    await quorumPhase(ctx);
  }, 5 * 60_000);

  it('joined no host twice over the whole chain (journal and events)', () => {
    need('build');
    const journal = readFileSync(path.join(STATE_DIR, 'journal.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { path: string; host: string; status: string });
    for (const host of ['master1', 'master2', 'master3', 'master4', 'worker1', 'worker2']) {
      const joins = journal.filter((record) => record.host === host && /\/kubeadm\.(join|init)$/.test(record.path) && record.status === 'done');
      expect(joins.length, `${host} joined ${joins.length} times`).toBeLessThanOrEqual(1);
      const all = ctx.runs.flatMap((run) => run.events);
      expect(all.filter((event) => event.kind === 'OUTPUT' && event.host === host && /This node has joined the cluster/.test(event.text ?? '')).length).toBeLessThanOrEqual(1);
    }
  });
});
