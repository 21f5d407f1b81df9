// Dev test of the upgrade phase (day2-upgrade-phase.ts) on its own: the seed's hosts (two load
// balancers, three control planes, one worker) built at 1.32 with kumi up, then upgradePhase
// moves them to 1.33 with the API probe running and a coordinator crash in the middle. The
// #12 chain (day2.test.ts) runs the same phase after its grow/replace/shrink phases.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabCluster, type LabCluster } from '../../src/cluster';
import { killKumiRuns } from '../../src/e2e/kumi-run';
import { failureSummary } from '../../src/e2e/progress-records';
import { provisionSeedExtras } from '../../src/e2e/seed-extras';
import { seedTopology } from '../../src/topology';
import { labSkipReason } from '../lab-checks';
import { createDay2Context, type Day2Context } from './day2-context';
import { upgradePhase } from './day2-upgrade-phase';

const skip = labSkipReason();
if (skip) console.warn(`\n*** SKIPPED: kumi upgrade lab test (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-e2e-upgrade-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
const STATE_DIR = `/var/tmp/kumi-lab-test-e2e-upgrade-state-${process.pid}`;

describe.skipIf(skip)('kumi upgrade in the lab: 1.32 → 1.33 with the API answering through the VIP', () => {
  let cluster: LabCluster | undefined;
  let ctx: Day2Context | undefined;

  beforeAll(async () => {
    cluster = await startLabCluster({ topology: seedTopology(), stateDir: STATE_DIR, serve: false, removeStateDir: false, clusterName: 'upgrade' });
    await provisionSeedExtras(cluster.topology);
    ctx = createDay2Context(cluster, path.join(STATE_DIR, 'cluster.yaml'), (spec) => {
      spec.spec.kubernetes.version = '1.32.2';
      spec.spec['drill'] = { enabled: false };
      spec.spec['verify'] = { enabled: false };
    });
  }, 180_000);

  afterAll(async () => {
    console.log(`kumi upgrade e2e timings:\n  ${ctx?.timings.join('\n  ') ?? ''}`);
    killKumiRuns();
    try {
      await cluster?.stop();
    } finally {
      rmSync(STATE_DIR, { recursive: true, force: true });
      rmSync(LAB_DIR, { recursive: true, force: true });
    }
  }, 120_000);

  it('builds at 1.32, then upgrades to 1.33 through a crash, the API answering throughout', async () => {
    const up = await ctx!.kumi(['up', ctx!.specPath, '--yes', '--json', ...ctx!.attachArgs], { timeoutMs: 900_000 });
    expect(up.exitCode, failureSummary(up.events, up.stderr)).toBe(0);
    const result = await upgradePhase(ctx!);
    console.log(`longest API gap through the VIP during the upgrade: ${result.longestGapMs} ms (${result.failedProbes}/${result.probes} probes failed)`);
    expect(result.probes).toBeGreaterThan(10);
    expect(result.longestGapMs).toBeLessThan(10_000);
  }, 1_800_000);
});
