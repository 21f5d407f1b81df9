// The `firewall` step against Debian's real firewalld (nftables backend, its own D-Bus) in
// lab hosts, run by the real executor with the facts the agent gathers there; then
// kubeadm.reset takes kumi's additions out again. Root only; skipped loudly otherwise.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCoordinator, inHost } from '../../src/in-host';
import { labDown } from '../../src/lab-down';
import { labUp } from '../../src/lab-up';
import type { Topology } from '../../src/topology';
import { labSkipReason } from '../lab-checks';
import { firewalldSnapshot, type FirewalldSnapshot } from '../../src/e2e/firewalld-zones';

const skip = labSkipReason();
if (skip) console.warn(`\n*** SKIPPED: firewall step against a real firewalld (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-firewalld-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
const BUNDLE_DIR = `${LAB_DIR}-bundle`;
const RUNNER = `${BUNDLE_DIR}/run-step-in-host.cjs`;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const TOPOLOGY: Topology = {
  vip: '192.0.2.100',
  hosts: [
    { name: 'master1', role: 'master', address: '192.0.2.21' },
    { name: 'lb1', role: 'lb', address: '192.0.2.11' },
  ],
};
const CONTROL_PLANE_PORTS = ['6443/tcp', '2379-2380/tcp', '10250/tcp', '10257/tcp', '10259/tcp', '8472/udp'];
const POD_TRUST = { interfaces: ['cni0', 'flannel.1'], sources: ['10.244.0.0/16', '10.96.0.0/12'] };
const VRRP = 'rule protocol value="vrrp" accept';
/** Opened by "the admin" before kumi: kumi must not record it, so a reset keeps it. */
const ADMINS_PORT = '10259/tcp';
/**
 * kubeadm.reset removes the admin kubeconfig. A lab host's /root is an overlay over the
 * machine's, so a /root/.kube/config on the machine shows through in the host and would add a
 * removal to the plans asserted below: point reset at a path that never exists instead.
 */
const RESET_PARAMS = { kubeconfigPath: '/var/lib/kumi-test/no-kubeconfig' };

/** What the runner prints: the facts it gathered and how the step ended. */
interface StepRun {
  facts: { hostName: string; firewall: string };
  outcome?: { status: 'noop'; reason: string; outputs: Record<string, unknown> } | { status: 'done'; planned: string[]; outputs: Record<string, unknown> };
  error?: { code: string; message: string };
  commands: string[][];
  ms: number;
}

async function runStepIn(host: string, stepId: string, params: Record<string, unknown>): Promise<StepRun> {
  const started = Date.now();
  const result = await inHost(host, ['node', RUNNER, stepId, JSON.stringify(params)], { timeoutMs: 60_000 });
  const last = String(result.stdout).trim().split('\n').pop() ?? '';
  if (result.exitCode !== 0 || !last.startsWith('{')) throw new Error(`runner failed on ${host} (exit ${result.exitCode}): ${String(result.stderr)}${String(result.stdout)}`);
  const run = { ...(JSON.parse(last) as Omit<StepRun, 'ms'>), ms: Date.now() - started };
  if (run.error) throw new Error(`${stepId} on ${host}: ${run.error.code}: ${run.error.message}`);
  console.log(`${stepId}@${host}: ${run.outcome?.status} in ${run.ms} ms (${run.commands.length} commands)`);
  return run;
}

/** The planned actions without their "  # why" comments; [] for a noop. */
const planned = (run: StepRun): string[] => (run.outcome?.status === 'done' ? run.outcome.planned.map((line) => line.split('  #')[0] ?? '') : []);
/** Commands that change firewalld (anything but --state, --get-* and --list-* probes). */
const changes = (run: StepRun): string[] =>
  run.commands.filter((argv) => argv[0] === 'firewall-cmd' && argv.slice(1).some((arg) => /^--(add|remove|change|reload|set)/.test(arg))).map((argv) => argv.join(' '));

async function sh(host: string, script: string): Promise<string> {
  const r = await inHost(host, ['sh', '-c', script], { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${host}: ${script}: exit ${r.exitCode}: ${String(r.stderr)}`);
  return String(r.stdout);
}

/**
 * A TCP connect to a host's port from the coordinator side (192.0.2.1). Nothing listens in
 * the hosts, so a port the firewall lets through answers with a reset ("Connection refused")
 * and a closed one with firewalld's ICMP host-prohibited reject ("No route to host").
 */
async function tcpVerdict(address: string, port: number): Promise<string> {
  const r = await inCoordinator(['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port}`], { timeoutMs: 5000 });
  const err = String(r.stderr);
  if (err.includes('Connection refused')) return 'open';
  if (err.includes('No route to host')) return 'rejected';
  return `other: exit ${r.exitCode} ${err.trim()}`;
}

describe.skipIf(skip !== undefined).sequential('firewall step against a real firewalld (lab: master1, lb1)', () => {
  const pristine: Record<string, FirewalldSnapshot> = {};
  let afterFirstRun: FirewalldSnapshot;

  beforeAll(async () => {
    await labDown();
    mkdirSync(BUNDLE_DIR, { recursive: true });
    const bundleStarted = Date.now();
    execFileSync(process.execPath, [path.join(REPO, 'tools/build/bundle.mjs'), path.join(REPO, 'tools/lab/test/firewalld/run-step-in-host.ts'), RUNNER, '--all'], { stdio: 'inherit', timeout: 60_000 });
    const bundleMs = Date.now() - bundleStarted;
    const up = await labUp({ topology: TOPOLOGY });
    const fwStarted = Date.now();
    await Promise.all(
      TOPOLOGY.hosts.map(async ({ name }) => {
        expect((await sh(name, 'systemctl start firewalld && firewall-cmd --state')).trim()).toBe('running');
      }),
    );
    console.log(`runner bundled in ${bundleMs} ms; lab up (2 hosts) in ${up.ms} ms; firewalld running in both in ${Date.now() - fwStarted} ms`);
    await sh('master1', `firewall-cmd --permanent --zone=public --add-port=${ADMINS_PORT} && firewall-cmd --reload`);
    for (const { name } of TOPOLOGY.hosts) pristine[name] = await firewalldSnapshot(name);
  }, 90_000);

  afterAll(async () => {
    await labDown();
    rmSync(BUNDLE_DIR, { recursive: true, force: true });
  }, 30_000);

  it('control plane, first run: role ports, flannel VXLAN and the pod-traffic fix, permanent and at runtime', async () => {
    expect(await tcpVerdict('192.0.2.21', 6443)).toBe('rejected');
    const run = await runStepIn('master1', 'firewall', { roles: ['control-plane'] });
    // The agent's facts say "nftables" here (firewalld runs with --nopid, so no /run/firewalld.pid):
    // backend auto must still pick firewalld, which outputs.backend shows.
    console.log(`facts on master1 report firewall=${run.facts.firewall}`);
    expect(run.outcome).toMatchObject({ status: 'done', outputs: { backend: 'firewalld', ports: CONTROL_PLANE_PORTS, vrrp: false } });
    expect(planned(run)).toEqual([
      'run firewall-cmd --permanent --zone=public --add-port=6443/tcp --add-port=2379-2380/tcp --add-port=10250/tcp --add-port=10257/tcp --add-port=8472/udp',
      'run firewall-cmd --permanent --zone=trusted --change-interface=cni0 --change-interface=flannel.1',
      'run firewall-cmd --permanent --zone=trusted --add-source=10.244.0.0/16 --add-source=10.96.0.0/12',
      'write /var/lib/kumi/firewalld-added.json',
      'run firewall-cmd --reload',
    ]);
    afterFirstRun = await firewalldSnapshot('master1');
    for (const view of [afterFirstRun.permanent, afterFirstRun.runtime]) {
      expect(view.public.ports).toEqual([...CONTROL_PLANE_PORTS].sort());
      expect(view.public.services).toEqual(pristine.master1!.permanent.public.services);
      expect(view.trusted.interfaces).toEqual(POD_TRUST.interfaces);
      expect(view.trusted.sources).toEqual([...POD_TRUST.sources].sort());
    }
    // The running firewall lets the API server port through now (nothing listens: refused, not rejected).
    expect(await tcpVerdict('192.0.2.21', 6443)).toBe('open');
  }, 60_000);

  it('second run is a NOOP with its reason and changes nothing', async () => {
    const run = await runStepIn('master1', 'firewall', { roles: ['control-plane'] });
    expect(run.outcome?.status).toBe('noop');
    expect(run.outcome?.status === 'noop' ? run.outcome.reason : '').toBe(
      'firewalld zone public already opens 6443/tcp 2379-2380/tcp 10250/tcp 10257/tcp 10259/tcp 8472/udp; trusted zone holds cni0, flannel.1, 10.244.0.0/16, 10.96.0.0/12',
    );
    expect(changes(run)).toEqual([]);
    expect(await firewalldSnapshot('master1')).toEqual(afterFirstRun);
  }, 60_000);

  it('drift: a port removed by hand (permanent + reload) is added back alone', async () => {
    await sh('master1', 'firewall-cmd --permanent --zone=public --remove-port=2379-2380/tcp && firewall-cmd --reload');
    const drifted = await firewalldSnapshot('master1');
    expect(drifted.runtime.public.ports).not.toContain('2379-2380/tcp');
    const run = await runStepIn('master1', 'firewall', { roles: ['control-plane'] });
    expect(run.outcome?.status).toBe('done');
    expect(planned(run)).toEqual(['run firewall-cmd --permanent --zone=public --add-port=2379-2380/tcp', 'run firewall-cmd --reload']);
    expect(changes(run)).toEqual(['firewall-cmd --permanent --zone=public --add-port=2379-2380/tcp', 'firewall-cmd --reload']);
    expect(await firewalldSnapshot('master1')).toEqual(afterFirstRun);
  }, 60_000);

  it('drift: a port removed from the running firewall only is restored by a reload alone', async () => {
    await sh('master1', 'firewall-cmd --zone=public --remove-port=6443/tcp');
    expect(await tcpVerdict('192.0.2.21', 6443)).toBe('rejected');
    const run = await runStepIn('master1', 'firewall', { roles: ['control-plane'] });
    expect(planned(run)).toEqual(['run firewall-cmd --reload']);
    expect(await firewalldSnapshot('master1')).toEqual(afterFirstRun);
    expect(await tcpVerdict('192.0.2.21', 6443)).toBe('open');
  }, 60_000);

  it('load balancer: the frontend port and the VRRP rich rule, no pod networking; rerun is a NOOP', async () => {
    expect(await tcpVerdict('192.0.2.11', 8443)).toBe('rejected');
    const run = await runStepIn('lb1', 'firewall', { roles: ['load-balancer'], lbFrontendPort: 8443 });
    expect(run.outcome).toMatchObject({ status: 'done', outputs: { backend: 'firewalld', ports: ['8443/tcp'], vrrp: true } });
    expect(planned(run)).toEqual([
      'run firewall-cmd --permanent --zone=public --add-port=8443/tcp',
      `run firewall-cmd --permanent --zone=public --add-rich-rule=${VRRP}`,
      'write /var/lib/kumi/firewalld-added.json',
      'run firewall-cmd --reload',
    ]);
    const lb = await firewalldSnapshot('lb1');
    for (const view of [lb.permanent, lb.runtime]) {
      expect(view.public.ports).toEqual(['8443/tcp']);
      expect(view.public.richRules).toEqual([VRRP]);
      expect(view.trusted).toEqual(pristine.lb1!.permanent.trusted);
    }
    expect(await tcpVerdict('192.0.2.11', 8443)).toBe('open');
    const again = await runStepIn('lb1', 'firewall', { roles: ['load-balancer'], lbFrontendPort: 8443 });
    expect(again.outcome).toMatchObject({ status: 'noop', reason: 'firewalld zone public already opens 8443/tcp and VRRP; trusted zone holds nothing kumi needs' });
  }, 60_000);

  it("kubeadm.reset takes out exactly kumi's additions (the admin's port stays); a second reset is a NOOP", async () => {
    const [cp, lb] = await Promise.all([runStepIn('master1', 'kubeadm.reset', RESET_PARAMS), runStepIn('lb1', 'kubeadm.reset', RESET_PARAMS)]);
    // Nothing else of Kubernetes is on these hosts: the whole plan is the firewalld cleanup.
    expect(planned(cp)).toEqual([
      expect.stringMatching(/^run firewall-cmd --permanent --zone=public( --remove-port=\S+){5}$/),
      'run firewall-cmd --permanent --zone=trusted --remove-interface=cni0 --remove-interface=flannel.1',
      'run firewall-cmd --permanent --zone=trusted --remove-source=10.244.0.0/16 --remove-source=10.96.0.0/12',
      'run firewall-cmd --reload',
      'remove /var/lib/kumi/firewalld-added.json',
    ]);
    expect(planned(cp)[0]).not.toContain(ADMINS_PORT);
    expect(planned(lb)).toEqual([
      'run firewall-cmd --permanent --zone=public --remove-port=8443/tcp',
      `run firewall-cmd --permanent --zone=public --remove-rich-rule=${VRRP}`,
      'run firewall-cmd --reload',
      'remove /var/lib/kumi/firewalld-added.json',
    ]);
    for (const host of ['master1', 'lb1']) {
      const now = await firewalldSnapshot(host);
      expect(now.permanent).toEqual(pristine[host]!.permanent);
      expect(now.runtime).toEqual(pristine[host]!.runtime);
    }
    expect((await firewalldSnapshot('master1')).runtime.public.ports).toEqual([ADMINS_PORT]);
    expect(await tcpVerdict('192.0.2.21', 6443)).toBe('rejected');
    const again = await runStepIn('master1', 'kubeadm.reset', RESET_PARAMS);
    expect(planned(again)).toEqual([]);
    expect(again.outcome).toMatchObject({ status: 'noop', reason: 'nothing of Kubernetes is left on this host' });
  }, 60_000);
});
