import { noop, planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { Step } from '../../step';
import { type EtcdctlRoute, etcdctlArgv, etcdctlRoute, quorumProblem, readMembers } from './etcd-members';
import type { EtcdMemberRemoveParams } from './params';
import { etcdMemberRemoveParams } from './params';

/** What etcd.member-remove reads. */
export interface EtcdMemberRemoveFacts {
  route: EtcdctlRoute;
  /** The member's hex id, undefined when no member has that name. */
  memberId: string | undefined;
}

/**
 * Removes a control plane's stacked etcd member by name (kubeadm names members after their
 * node), asked of the local member of another, healthy control plane: the first half of
 * taking a control plane out. Refuses (CHECK_FAILED) to remove the member it runs on, or a
 * member whose removal would leave etcd without a healthy majority.
 */
export const etcdMemberRemove: Step<EtcdMemberRemoveParams, EtcdMemberRemoveFacts> = {
  id: 'etcd.member-remove',
  title: 'Remove a member from etcd',
  params: etcdMemberRemoveParams,

  async check(host, params) {
    if (params.member === host.facts.hostName) {
      throw new StepFailure('CHECK_FAILED', `etcd.member-remove must not run on ${params.member}, the member it removes. Fix: run it on another, healthy control plane.`);
    }
    const route = await etcdctlRoute(host, params.kubeconfig, 'etcd.member-remove');
    const members = await readMembers(host, route);
    const member = members.find((candidate) => candidate.name === params.member);
    if (member === undefined) return { route, memberId: undefined };
    const problem = quorumProblem(members, params.member);
    if (problem !== undefined) {
      throw new StepFailure('CHECK_FAILED', `removing etcd member ${params.member} would lose quorum: ${problem}. Fix: bring the unhealthy members back first (or add a control plane), then remove ${params.member}.`);
    }
    return { route, memberId: member.id };
  },

  plan(facts, params) {
    if (facts.memberId === undefined) return noop(`etcd has no member named ${params.member} (already removed)`);
    return planOf(
      [{ kind: 'run', argv: etcdctlArgv(facts.route, ['member', 'remove', facts.memberId]), why: `take ${params.member} out of etcd before its node is reset` }],
      'unreachable',
    );
  },
};
