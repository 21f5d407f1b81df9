import type { StepCases } from '../../contract/step-contract';
import { etcdMemberRemove } from './etcd-member-remove';

const params = { member: 'master3' };
const host = { route: { kind: 'host' } };

/** Contract rows of etcd.member-remove (etcd.member-list is read-only: it never has work). */
export const ETCD_MEMBER_CASES: Readonly<Record<string, StepCases>> = {
  'etcd.member-remove': {
    step: etcdMemberRemove,
    firstRun: { params, facts: { ...host, memberId: '8e9e05c52164694d' } },
    noop: { params, facts: { ...host, memberId: undefined } },
    // One action only, so drift is the first run again: a member of that name is (back) in etcd.
    drift: { params, facts: { ...host, memberId: '8e9e05c52164694d' } },
  },
};
