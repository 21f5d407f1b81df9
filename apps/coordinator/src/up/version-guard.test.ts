import { describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import type { JournalRecord } from '../journal/journal';
import { type HostStepEvent, type SchedulerDeps, StepHandle } from '../plan';
import type { Session } from './session';
import { checkClusterVersion, versionGuardRefusal } from './version-guard';

const spec = seedSpec(); // kubernetes.version 1.33.2, control planes master1-3
const members = { controlPlanes: ['master1', 'master2'], workers: [], removed: [] };

/** A session and scheduler deps whose version reads answer per host (a version, or a failure). */
function fakes(answers: Record<string, string | Error>, records: JournalRecord[] = [], attached = ['master1', 'master2']) {
  const asked: string[] = [];
  const progress: string[] = [];
  const session = {
    signal: new AbortController().signal,
    progress: { emit: (event: { text?: string }) => progress.push(event.text ?? '') },
    journal: { current: () => records },
    coordinator: { agents: { get: (host: string) => (attached.includes(host) ? {} : undefined) } },
  } as unknown as Session;
  const deps = {
    readiness: { wait: async () => undefined },
    runner: {
      runStep: (request: { host: string; step: string; dryRun?: boolean }) => {
        asked.push(`${request.host}:${request.step}:${String(request.dryRun)}`);
        const answer = answers[request.host];
        if (answer instanceof Error) return StepHandle.failed(request.host, request.step, { code: 'CHECK_FAILED', message: answer.message });
        return new StepHandle(request.host, request.step, (async function* () {
          yield { kind: 'noop', reason: 'read-only', outputs: answer === undefined ? {} : { kubernetesVersion: answer } } as HostStepEvent;
        })());
      },
    },
  } as unknown as SchedulerDeps;
  return { session, deps, asked, progress };
}

describe("kumi up's version guard", () => {
  it.each([
    ['1.33.2', undefined],
    ['1.34.2', /differs from the cluster's 1\.33\.2 \(kubeadm-config, read on master1\): kumi up builds and grows the cluster at its version and does not upgrade it\. Nothing was changed\. Fix: upgrade it with `kumi upgrade c\.yaml` \(or `kumi upgrade c\.yaml --to 1\.34\.2`\)/],
    ['1.33.9', /Fix: upgrade it with `kumi upgrade c\.yaml`/],
    ['1.35.2', /Fix: kubeadm upgrades one minor at a time: set kubernetes\.version to a 1\.34 patch and run `kumi upgrade c\.yaml`, then the next minor, up to 1\.35\.2/],
    ['1.33.1', /that is a downgrade, which Kubernetes and kubeadm do not support and kumi does not do\. Nothing was changed\. Fix: set kubernetes\.version: "1\.33\.2" in c\.yaml/],
  ])('spec %s on a cluster at 1.33.2', (wanted, message) => {
    const refusal = versionGuardRefusal(wanted, { version: '1.33.2', source: 'kubeadm-config, read on master1' }, 'c.yaml');
    if (message === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toMatch(message);
  });

  it('an interrupt during the attach wait ends as interrupted (exit 130), not as a failure', async () => {
    const { session, deps } = fakes({});
    const interrupt = new AbortController();
    interrupt.abort(new Error('interrupted'));
    const interrupted = { ...session, signal: interrupt.signal } as unknown as Session;
    const waiting = { ...deps, readiness: { wait: async () => Promise.reject(new Error('the wait was cancelled')) } } as unknown as SchedulerDeps;
    await expect(checkClusterVersion(interrupted, waiting, spec, members, 'c.yaml')).rejects.toMatchObject({ exitCode: 130, message: 'kumi up: interrupted before anything was changed' });
  });

  it('asks nothing of a cluster with no control plane joined yet', async () => {
    const { session, deps, asked } = fakes({});
    await checkClusterVersion(session, deps, spec, { controlPlanes: [], workers: [], removed: [] }, 'c.yaml');
    expect(asked).toEqual([]);
  });

  it('reads on the first joined control plane as a dry run, the next attached one when it cannot answer', async () => {
    const { session, deps, asked } = fakes({ master1: new Error('could not read ConfigMap kube-system/kubeadm-config'), master2: '1.32.2' });
    await expect(checkClusterVersion(session, deps, spec, members, 'c.yaml')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/differs from the cluster's 1\.32\.2 \(kubeadm-config, read on master2\)/) });
    expect(asked).toEqual(['master1:kubeadm.cluster-version:true', 'master2:kubeadm.cluster-version:true']);
  });

  it("falls back to kumi's journal when no control plane answers, and goes on with a warning when that is unknown too", async () => {
    const recorded: JournalRecord[] = [{ time: '', run: 'r', path: 'prepare/kubernetes.packages', host: 'master1', status: 'done', outputs: { kubeadm: '1.32.2-1.1' } }];
    const down = { master1: new Error('API down'), master2: new Error('API down') };
    const journaled = fakes(down, recorded);
    await expect(checkClusterVersion(journaled.session, journaled.deps, spec, members, 'c.yaml')).rejects.toThrow(/differs from the cluster's 1\.32\.2 \(as kumi's journal records it; no control plane answered \(master1: .*API down; master2: .*API down\)\)/);
    const unknown = fakes(down, [], ['master1']);
    await expect(checkClusterVersion(unknown.session, unknown.deps, spec, members, 'c.yaml')).resolves.toBeUndefined();
    expect(unknown.progress.join('\n')).toMatch(/could not tell the cluster's Kubernetes version \(master1: .*API down; master2: agent not attached\); kumi up goes on at the spec's 1\.33\.2/);
  });
});
