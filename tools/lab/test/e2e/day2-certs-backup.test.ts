// The certificates and backup phases on the smallest cluster that shows them: the two load
// balancers and one control plane built by `kumi up`, then certsPhase and backupPhase (the #12
// chain in day2.test.ts runs the same phases on three control planes). Root only; skipped
// loudly otherwise.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabCluster, type LabCluster } from '../../src/cluster';
import { killKumiRuns } from '../../src/e2e/kumi-run';
import { failureSummary } from '../../src/e2e/progress-records';
import { provisionSeedExtras } from '../../src/e2e/seed-extras';
import { seedTopology } from '../../src/topology';
import { labSkipReason } from '../lab-checks';
import { backupPhase, certsPhase } from './day2-certs-backup-phase';
import { createDay2Context, type Day2Context } from './day2-context';

const skip = labSkipReason();
if (skip) console.warn(`\n*** SKIPPED: kumi certs / backup lab test (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-certs-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
const STATE_DIR = `/var/tmp/kumi-lab-test-certs-state-${process.pid}`;
const HOSTS = ['lb1', 'lb2', 'master1'];

describe.skipIf(skip)('kumi certs, kumi certs renew and kumi backup in the lab (lb1, lb2, master1)', () => {
  let cluster: LabCluster | undefined;
  let ctx: Day2Context | undefined;
  let built = false;

  beforeAll(async () => {
    const seed = seedTopology();
    cluster = await startLabCluster({ topology: { vip: seed.vip, hosts: seed.hosts.filter((host) => HOSTS.includes(host.name)) }, stateDir: STATE_DIR, serve: false, removeStateDir: false, clusterName: 'certs' });
    await provisionSeedExtras(cluster.topology);
    ctx = createDay2Context(cluster, `${STATE_DIR}-spec.yaml`, (spec) => {
      spec.spec.hosts = spec.spec.hosts.filter((host) => HOSTS.includes(host.name));
      // One control plane cannot fail over (no drill), and without a worker verify's DNS pod has nowhere to run.
      const checks = spec.spec as { drill?: { enabled: boolean }; verify?: { enabled: boolean } };
      checks.drill = { ...checks.drill, enabled: false };
      checks.verify = { ...checks.verify, enabled: false };
    });
  }, 300_000);

  afterAll(async () => {
    if (ctx) console.log(`certs/backup e2e timings:\n  ${ctx.timings.join('\n  ')}`);
    killKumiRuns();
    try {
      await cluster?.stop();
    } finally {
      rmSync(STATE_DIR, { recursive: true, force: true });
      rmSync(`${STATE_DIR}-spec.yaml`, { force: true });
      rmSync(LAB_DIR, { recursive: true, force: true });
    }
  }, 120_000);

  it('builds the cluster', async () => {
    const run = await ctx!.kumi(['up', ctx!.specPath, '--yes', '--json', ...ctx!.attachArgs], { timeoutMs: 8 * 60_000 });
    expect(run.exitCode, failureSummary(run.events, run.stderr)).toBe(0);
    built = true;
  }, 9 * 60_000);

  it('kumi certs lists every kubeadm certificate; kumi certs renew moves NotAfter forward with the API up through the VIP', async () => {
    expect(built, 'no cluster: the build failed').toBe(true);
    await certsPhase(ctx!);
  }, 12 * 60_000);

  it('kumi backup leaves a 0600 snapshot with a matching sha256 that etcdctl snapshot status reads', async () => {
    expect(built, 'no cluster: the build failed').toBe(true);
    await backupPhase(ctx!);
  }, 6 * 60_000);
});
