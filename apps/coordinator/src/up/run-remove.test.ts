import type { EtcdMember } from '@kumi/steps';
import { describe, expect, it } from 'vitest';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import type { Plan, SchedulerDeps } from '../plan';
import { AgentsNotAttachedError } from './agents-attached';
import { awaitRemovedHosts, checkEtcdQuorum, comebackNote, etcdQuorumRefusal, refuseAttachedUnreachable } from './run-remove';
import type { Session } from './session';

const member = (name: string, healthy = true): EtcdMember => ({ id: name, name, clientUrls: [`https://${name}:2379`], healthy });

describe('the etcd quorum check of kumi remove', () => {
  it('lets healthy members go one after another, and skips members etcd no longer has', () => {
    expect(etcdQuorumRefusal([member('master1'), member('master2'), member('master3'), member('master4')], ['master3'])).toBeUndefined();
    expect(etcdQuorumRefusal([member('master1'), member('master2'), member('master3')], ['master2', 'master3'])).toBeUndefined();
    expect(etcdQuorumRefusal([member('master1'), member('master2')], ['master3'])).toBeUndefined();
  });

  it('refuses, with the fix, a removal that leaves the healthy members short of a majority', () => {
    expect(etcdQuorumRefusal([member('master1'), member('master2', false), member('master4')], ['master4'])).toBe(
      'removing master4 would lose etcd quorum: the 2 member(s) left would have 1 healthy, fewer than the 2 etcd needs for quorum (unhealthy: master2). Nothing was changed. Fix: bring the unhealthy members back (or add a control plane with `kumi up`) first, then remove master4.',
    );
    // The second of two removals is the one that breaks it.
    expect(etcdQuorumRefusal([member('master1'), member('master2'), member('master3', false), member('master4')], ['master4', 'master2'])).toMatch(/^removing master2 would lose etcd quorum: the 2 member\(s\) left would have 1 healthy/);
  });
});

describe('kumi remove of a host whose agent does not attach', () => {
  const session = (texts: string[]) => ({ signal: new AbortController().signal, progress: { emit: (event: { text?: string }) => texts.push(event.text ?? '') } }) as unknown as Session;
  const deps = (wait: SchedulerDeps['readiness']['wait']) => ({ readiness: { wait } }) as unknown as SchedulerDeps;

  it('ends with exit 4 naming --unreachable (the exact command) once the bounded wait ran out', async () => {
    const waited: string[][] = [];
    const run = awaitRemovedHosts(
      session([]),
      deps(async (readiness) => {
        waited.push(readiness.check.kind === 'agents-attached' ? readiness.check.hosts : []);
        throw new AgentsNotAttachedError('not every agent attached within 90 s: 0 of 1 agents attached; waiting for worker2');
      }),
      ['worker2'],
      { specPath: 'my cluster.yaml', attachTimeoutMs: 90_000 },
    );
    await expect(run).rejects.toBeInstanceOf(CliError);
    await expect(run).rejects.toMatchObject({ exitCode: ExitCode.UNAVAILABLE });
    await expect(run).rejects.toThrow(/the agent of worker2 did not attach within 1m30s.*Nothing was changed.*`kumi remove worker2 'my cluster.yaml' --unreachable`/);
    expect(waited).toEqual([['worker2']]);
  });

  it('names the removing command: kumi up --prune refuses before its build, pointing to kumi remove --unreachable', async () => {
    const gone = deps(async () => {
      throw new AgentsNotAttachedError('not every agent attached within 90 s: 0 of 1 agents attached; waiting for worker2');
    });
    const run = awaitRemovedHosts(session([]), gone, ['worker2'], { specPath: 's.yaml', attachTimeoutMs: 90_000, command: 'kumi up --prune' });
    await expect(run).rejects.toMatchObject({ exitCode: ExitCode.UNAVAILABLE });
    await expect(run).rejects.toThrow(/did not attach within 1m30s; kumi up --prune runs kubeadm reset there.*Nothing was changed.*`kumi remove worker2 s\.yaml --unreachable`/);
  });

  it('goes on once the agents attached, and passes other errors through', async () => {
    await expect(awaitRemovedHosts(session([]), deps(async () => undefined), ['worker2'], { specPath: 's.yaml', attachTimeoutMs: 1 })).resolves.toBeUndefined();
    await expect(awaitRemovedHosts(session([]), deps(async () => Promise.reject(new Error('cancelled'))), ['worker2'], { specPath: 's.yaml', attachTimeoutMs: 1 })).rejects.toThrow('cancelled');
  });

  it('an interrupt during the wait ends as interrupted (exit 130), also in the etcd quorum check', async () => {
    const interrupt = new AbortController();
    interrupt.abort(new Error('interrupted'));
    const interrupted = { signal: interrupt.signal, progress: { emit: () => undefined } } as unknown as Session;
    const cut = deps(async () => Promise.reject(new Error('the wait was cancelled')));
    await expect(awaitRemovedHosts(interrupted, cut, ['worker2'], { specPath: 's.yaml', attachTimeoutMs: 1 })).rejects.toMatchObject({ exitCode: ExitCode.INTERRUPTED });
    const plan = { stages: [{ entries: [{ host: 'master1', step: 'etcd.member-remove', params: { member: 'master3' } }] }] } as unknown as Plan;
    await expect(checkEtcdQuorum(interrupted, cut, plan)).rejects.toMatchObject({ exitCode: ExitCode.INTERRUPTED, message: 'kumi remove: interrupted before anything was changed' });
  });

  it('--unreachable for a host whose agent is attached: exit 2 pointing to plain kumi remove', () => {
    const attached = (hosts: string[]) => ({ coordinator: { agents: { get: (host: string) => (hosts.includes(host) ? {} : undefined) } } }) as unknown as Session;
    expect(() => refuseAttachedUnreachable(attached(['master1']), ['worker2'], { specPath: 's.yaml' })).not.toThrow();
    let refusal: unknown;
    try {
      refuseAttachedUnreachable(attached(['worker2']), ['worker2'], { specPath: 'my cluster.yaml' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(CliError);
    expect(refusal).toMatchObject({ exitCode: ExitCode.USAGE });
    expect((refusal as Error).message).toBe(
      "--unreachable says worker2 is gone, but the agent of worker2 is attached. Nothing was changed. Fix: remove it the ordinary way (drained, kubeadm reset run there): `kumi remove worker2 'my cluster.yaml'`",
    );
  });

  it('tells what to do on a gone host that comes back', () => {
    expect(comebackNote(['worker2'])).toMatch(/^if worker2 ever comes back, run `kubeadm reset -f` on it/);
  });
});
