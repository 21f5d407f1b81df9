import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/cli/exit-codes';
import { runUp } from '../src/up/run-up';
import { captureStream, SEED_SPEC, type UpFixture, upFixture, upOptions as options } from './helpers/up-fixture';

let fixture: UpFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** The seed spec at another kubernetes.version, written next to the state folder. */
function seedAt(f: UpFixture, version: string): string {
  const path = join(f.root, `seed-${version}.yaml`);
  writeFileSync(path, readFileSync(SEED_SPEC, 'utf8').replace('version: "1.33.2"', `version: "${version}"`));
  return path;
}

describe("kumi up's version guard against simulated agents", () => {
  it('leaves a fresh cluster alone, then refuses (exit 2, nothing changed) a spec above or below the running version, naming both and the fix', async () => {
    fixture = await upFixture();
    const f = fixture;
    // Fresh: no control plane joined yet, so nothing asks for the version.
    expect((await runUp(options(f, { out: captureStream().out }))).ok).toBe(true);
    expect(f.sim.requests.filter((request) => request.step === 'kubeadm.cluster-version')).toEqual([]);

    for (const [version, message] of [
      ['1.34.2', /kubernetes\.version "1\.34\.2" in .*seed-1\.34\.2\.yaml differs from the cluster's 1\.33\.2 \(kubeadm-config, read on master1\): kumi up builds and grows the cluster at its version and does not upgrade it\. Nothing was changed\. Fix: upgrade it with `kumi upgrade .*seed-1\.34\.2\.yaml` \(or `kumi upgrade .* --to 1\.34\.2`\)/],
      ['1.36.2', /differs from the cluster's 1\.33\.2 .*Fix: kubeadm upgrades one minor at a time: set kubernetes\.version to a 1\.34 patch and run `kumi upgrade /],
      ['1.32.2', /kubernetes\.version "1\.32\.2" .* differs from the cluster's 1\.33\.2 \(kubeadm-config, read on master1\): that is a downgrade, which Kubernetes and kubeadm do not support .*Fix: set kubernetes\.version: "1\.33\.2"/],
    ] as const) {
      f.stopAgents();
      const before = f.sim.requests.length;
      const run = runUp(options(f, { specPath: seedAt(f, version), out: captureStream().out }));
      await expect(run).rejects.toMatchObject({ exitCode: ExitCode.USAGE, message: expect.stringMatching(message) });
      // The only request was the read-only version read, as a dry run on the first control plane.
      expect(f.sim.requests.slice(before).map((request) => `${request.host}:${request.step}:${request.dryRun}`)).toEqual(['master1:kubeadm.cluster-version:true']);
    }

    // The spec at the cluster's version goes on as before.
    f.stopAgents();
    expect((await runUp(options(f, { out: captureStream().out }))).ok).toBe(true);
  });
});
