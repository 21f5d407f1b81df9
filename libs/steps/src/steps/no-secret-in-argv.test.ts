import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStep } from '../executor';
import type { Action } from '../plan';
import type { StepFailure } from '../run-types';
import { Secret } from '../secret';
import type { AnyStep } from '../step';
import { debianFacts, rhelFacts } from '../testing/host-facts';
import { fakeHost } from './common/fake-host';
import { kubeadmInit } from './kubeadm-init/kubeadm-init';
import { kubeadmInitParams } from './kubeadm-init/params';
import { kubeadmJoin } from './kubeadm-join/kubeadm-join';
import { kubeadmJoinParams } from './kubeadm-join/params';
import { kubeadmTokenCreate } from './kubeadm-token-create/kubeadm-token-create';
import { kubeadmTokenCreateParams } from './kubeadm-token-create/params';
import { kubeadmUploadCerts } from './kubeadm-upload-certs/kubeadm-upload-certs';
import { kubeadmUploadCertsParams } from './kubeadm-upload-certs/params';

const token = 'q1w2e3.r4t5y6u7i8o9p0as';
const key = 'fedcba9876543210'.repeat(4);
const secrets = { bootstrapToken: new Secret(token), certificateKey: new Secret(key) };
const endpoint = { host: '192.0.2.100' };
const cases: [string, AnyStep, unknown][] = [
  ['kubeadm.init', kubeadmInit, kubeadmInitParams.parse({ kubernetesVersion: '1.33.2', controlPlaneEndpoint: endpoint })],
  ['kubeadm.join control plane', kubeadmJoin, kubeadmJoinParams.parse({ role: 'control-plane', kubernetesVersion: '1.33.2', controlPlaneEndpoint: endpoint, caCertHashes: [`sha256:${'0'.repeat(64)}`] })],
  ['kubeadm.join worker (v1beta3)', kubeadmJoin, kubeadmJoinParams.parse({ role: 'worker', kubernetesVersion: '1.30.1', controlPlaneEndpoint: endpoint, caCertHashes: [`sha256:${'0'.repeat(64)}`] })],
  ['kubeadm.token-create', kubeadmTokenCreate, kubeadmTokenCreateParams.parse({ kubernetesVersion: '1.33.2' })],
  ['kubeadm.upload-certs', kubeadmUploadCerts, kubeadmUploadCertsParams.parse({ kubernetesVersion: '1.33.2' })],
];
const probes = {
  'kubeadm version -o short': 'v1.33.2',
  'kubeadm token list --kubeconfig /etc/kubernetes/admin.conf -o json': '',
};
const files = { '/etc/kubernetes/admin.conf': 'server: https://192.0.2.100:6443', '/etc/kubernetes/manifests/kube-apiserver.yaml': '' };

function argvOf(action: Action): readonly string[] {
  if (action.kind === 'run') return action.argv;
  if (action.kind === 'wait' && action.until.kind === 'command') return action.until.argv;
  return [];
}

describe('no secret in argv', () => {
  it.each(cases)('%s: neither the probes nor the planned commands carry the token or the key', async (_name, step, params) => {
    for (const facts of [debianFacts, rhelFacts]) {
      const fresh = step === kubeadmInit || step === kubeadmJoin ? {} : files;
      const host = fakeHost(facts, fresh, probes);
      const checked = await step.check(host, params, secrets);
      const plan = step.plan(checked, params, secrets);
      expect(plan.actions.length).toBeGreaterThan(0);
      const spawned = [...host.probed, ...plan.actions.map(argvOf)].flat().join('\n');
      for (const value of [token, token.split('.')[1] ?? '', key]) {
        expect(spawned).not.toContain(value);
        expect(JSON.stringify(plan)).not.toContain(value);
      }
      // The secrets do reach kubeadm, but only through 0600 secret files.
      const secretFiles = plan.actions.flatMap((action) => (action.kind === 'run' ? Object.values(action.secretFiles ?? {}) : []));
      expect(secretFiles.length).toBeGreaterThan(0);
      expect(secretFiles.every((file) => file instanceof Secret)).toBe(true);
      expect(secretFiles.map((file) => (file as Secret).reveal()).join('\n')).toContain(step === kubeadmUploadCerts ? key : token);
    }
  });
});

/** Never let this test drive a real kubeadm: it runs only where none is on PATH. */
const kubeadmOnPath = (process.env['PATH'] ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'kubeadm')));

describe.skipIf(kubeadmOnPath)('no secret in argv of commands the executor really spawns', () => {
  it.each(cases)('%s: runStep spawns kubeadm with a secret-file path, never the secret', async (_name, step, params) => {
    const fresh = step === kubeadmInit || step === kubeadmJoin ? {} : files;
    const checked = await step.check(fakeHost(debianFacts, fresh, probes), params, secrets);
    // The real step's plan, run by the real executor; only check is replaced (no kubeadm here).
    const replayed: AnyStep = { ...step, check: () => Promise.resolve(checked) };
    const spawned: string[][] = [];
    const run = runStep(replayed, { root: '/', facts: debianFacts, params, secrets, dryRun: false, spawnObserver: (argv) => spawned.push([...argv]) });
    const failure = await run.then(() => undefined, (error: unknown) => error as StepFailure);
    expect(spawned.length).toBeGreaterThan(0);
    expect(spawned[0]?.[0]).toBe('kubeadm');
    expect(spawned[0]?.some((arg) => /kumi-secret-[^/]+\/[\w.-]+\.yaml$/.test(arg))).toBe(true);
    for (const value of [token, token.split('.')[1] ?? '', key]) {
      expect(spawned.flat().join(' ')).not.toContain(value);
      expect(`${failure?.message ?? ''} ${failure?.stderrTail ?? ''} ${failure?.command ?? ''}`).not.toContain(value);
    }
    // kubeadm is not installed on the test machine, so the spawn itself fails.
    expect(failure?.code).toBe('COMMAND_FAILED');
  });
});
