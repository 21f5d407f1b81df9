import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost, type ProbeAnswers } from '../common/fake-host';
import { etcdMemberList } from './etcd-member-list';
import { etcdMemberRemove } from './etcd-member-remove';
import { quorumProblem, type EtcdMember } from './etcd-members';
import { etcdMemberListParams, etcdMemberRemoveParams } from './params';

const TLS = '--endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/peer.crt --key=/etc/kubernetes/pki/etcd/peer.key';
const LIST = `etcdctl ${TLS} member list -w json`;
const HEALTH = `etcdctl ${TLS} endpoint health --cluster -w json`;
// etcdctl 3.4's JSON, ids as uint64 numbers beyond 2^53 (10276657743932975437 = 0x8e9e05c52164694d).
const members = (names: string[]) =>
  `{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"raft_term":2},"members":[${names
    .map((name, index) => `{"ID":${index === 2 ? '10276657743932975437' : `${index + 1}`},"name":"${name}","peerURLs":["https://192.0.2.2${index + 1}:2380"],"clientURLs":["https://192.0.2.2${index + 1}:2379"]}`)
    .join(',')}]}`;
const health = (down: number[] = []) =>
  JSON.stringify([1, 2, 3].map((n) => ({ endpoint: `https://192.0.2.2${n}:2379`, health: !down.includes(n), ...(down.includes(n) ? { error: 'context deadline exceeded' } : {}) })));
const onMaster1 = { ...debianFacts, hostName: 'master1' };
const host = (probes: ProbeAnswers, files: Record<string, string> = { '/etc/kubernetes/pki/etcd/peer.key': 'k' }) =>
  fakeHost(onMaster1, files, { 'etcdctl version': 'etcdctl version: 3.5.21\n', ...probes });
const params = etcdMemberRemoveParams.parse({ member: 'master3' });

describe('etcd.member-remove', () => {
  it('removes the named member by its hex id, exact beyond 2^53, with the host etcdctl and the peer certificate', async () => {
    const facts = await etcdMemberRemove.check(host({ [LIST]: members(['master1', 'master2', 'master3']), [HEALTH]: health() }), params, {});
    expect(facts.memberId).toBe('8e9e05c52164694d');
    expect(etcdMemberRemove.plan(facts, params, {}).actions.map((action) => describeAction(action).split('  #')[0])).toEqual([`run etcdctl ${TLS} member remove 8e9e05c52164694d`]);
  });

  it('goes through kubectl exec into the local etcd pod when the host has no etcdctl', async () => {
    const K = '/etc/kubernetes/admin.conf';
    const viaPod = (command: string) => `kubectl --kubeconfig ${K} -n kube-system exec etcd-master1 -- ${command}`;
    const reader = fakeHost(onMaster1, { [K]: 'x' }, { [viaPod(LIST)]: members(['master1', 'master2', 'master3']), [viaPod(HEALTH)]: health() });
    const facts = await etcdMemberRemove.check(reader, params, {});
    expect(etcdMemberRemove.plan(facts, params, {}).actions.map((action) => describeAction(action).split('  #')[0])).toEqual([`run ${viaPod(`etcdctl ${TLS} member remove 8e9e05c52164694d`)}`]);
  });

  it('is a noop naming the member when etcd no longer has it', async () => {
    const facts = await etcdMemberRemove.check(host({ [LIST]: members(['master1', 'master2']), [HEALTH]: health() }), params, {});
    expect(etcdMemberRemove.plan(facts, params, {}).noop).toBe('etcd has no member named master3 (already removed)');
  });

  it('refuses, with the fix, a removal that would lose quorum, the member it runs on, and a host without etcd', async () => {
    // master2 is down: master1 alone of master1+master2 is no majority.
    await expect(etcdMemberRemove.check(host({ [LIST]: members(['master1', 'master2', 'master3']), [HEALTH]: { exitCode: 1, stdout: health([2]) } }), params, {})).rejects.toThrow(
      /removing etcd member master3 would lose quorum: the 2 member\(s\) left would have 1 healthy, fewer than the 2 etcd needs for quorum \(unhealthy: master2\)\. Fix: bring the unhealthy members back first/,
    );
    await expect(etcdMemberRemove.check(host({}), etcdMemberRemoveParams.parse({ member: 'master1' }), {})).rejects.toThrow(/must not run on master1, the member it removes\. Fix: run it on another, healthy control plane/);
    await expect(etcdMemberRemove.check(fakeHost(onMaster1, {}, {}), params, {})).rejects.toThrow(/has neither etcdctl .* Fix: run it on a control plane/);
    await expect(etcdMemberRemove.check(host({ [LIST]: { exitCode: 1, stderr: 'Error: context deadline exceeded' } }), params, {})).rejects.toThrow(/could not list the etcd members on master1 \(exit 1\): Error: context deadline exceeded\. Fix:/);
  });
});

describe('etcd.member-list', () => {
  it('outputs every member with its health and changes nothing', async () => {
    const reader = host({ [LIST]: members(['master1', 'master2', 'master3']), [HEALTH]: { exitCode: 1, stdout: health([3]) } });
    const listParams = etcdMemberListParams.parse({});
    const facts = await etcdMemberList.check(reader, listParams, {});
    expect(etcdMemberList.plan(facts, listParams, {})).toEqual({ actions: [], noop: 'read-only: 3 etcd member(s): master1 (healthy), master2 (healthy), master3 (unhealthy)' });
    expect((await etcdMemberList.outputs!(reader, listParams, facts)).members.map((member) => [member.name, member.id, member.healthy])).toEqual([
      ['master1', '1', true],
      ['master2', '2', true],
      ['master3', '8e9e05c52164694d', false],
    ]);
  });
});

describe('quorumProblem', () => {
  const member = (name: string, healthy = true): EtcdMember => ({ id: name, name, clientUrls: [], healthy });
  it.each([
    [[member('a'), member('b'), member('c')], 'c', undefined],
    [[member('a'), member('b')], 'b', undefined],
    [[member('a')], 'a', 'a is etcd\'s last member'],
    [[member('a'), member('b', false), member('c', false)], 'c', 'etcd has 1 healthy member(s) of 3, fewer than the 2 it needs to commit a membership change'],
    [[member('a'), member('b', false), member('c')], 'c', 'the 2 member(s) left would have 1 healthy, fewer than the 2 etcd needs for quorum (unhealthy: b)'],
    [[member('a'), member('b'), member('c', false), member('d')], 'd', undefined],
  ])('row %#', (members, name, problem) => {
    expect(quorumProblem(members, name)).toBe(problem);
  });
});
