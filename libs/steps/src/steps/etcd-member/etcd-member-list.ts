import { noop } from '../../plan';
import type { Step } from '../../step';
import { type EtcdMember, etcdctlRoute, readMembers } from './etcd-members';
import type { EtcdMemberListParams } from './params';
import { etcdMemberListParams } from './params';

/** What etcd.member-list reads (and outputs). */
export interface EtcdMemberListFacts {
  members: EtcdMember[];
}

/** Outputs of etcd.member-list: every member with its health. */
export interface EtcdMemberListOutputs {
  members: EtcdMember[];
}

/**
 * Read-only: lists etcd's members and their health from a control plane's local member,
 * so a workflow can count them (e.g. before removing one) without changing anything.
 */
export const etcdMemberList: Step<EtcdMemberListParams, EtcdMemberListFacts, EtcdMemberListOutputs> = {
  id: 'etcd.member-list',
  title: 'List the etcd members and their health',
  params: etcdMemberListParams,

  async check(host, params) {
    return { members: await readMembers(host, await etcdctlRoute(host, params.kubeconfig, 'etcd.member-list')) };
  },

  plan(facts) {
    const names = facts.members.map((member) => `${member.name || member.id} (${member.healthy ? 'healthy' : 'unhealthy'})`);
    return noop(`read-only: ${facts.members.length} etcd member(s): ${names.join(', ')}`);
  },

  async outputs(host, params) {
    return { members: await readMembers(host, await etcdctlRoute(host, params.kubeconfig, 'etcd.member-list')) };
  },
};
