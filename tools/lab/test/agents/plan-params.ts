import path from 'node:path';
import { callKumi } from '../../src/cluster/kumi-cli';
import { REPO_ROOT } from '../../src/cluster/kumi-bundles';

/** One (host, step) entry of `kumi plan --json`. */
export interface PlanEntry {
  stage: string;
  host: string;
  step: string;
  path: string;
  params: Record<string, unknown>;
}

/** The seed's cluster spec. */
export const SEED_SPEC = path.join(REPO_ROOT, 'examples', 'seed-ha.yaml');

/** Every entry of the seed's plan by its path ("prepare/firewall@lb1"), from the real `kumi plan --json`. */
export async function seedPlanEntries(kumiBundle: string, stateDir: string): Promise<Map<string, PlanEntry>> {
  const result = await callKumi(kumiBundle, stateDir, ['plan', SEED_SPEC, '--json'], { timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`kumi plan ${SEED_SPEC} --json failed (${result.exitCode}): ${result.stderr}`);
  const plan = JSON.parse(result.stdout) as { stages: Array<{ entries: PlanEntry[] }> };
  return new Map(plan.stages.flatMap((stage) => stage.entries).map((entry) => [entry.path, entry]));
}
