import type { StepCases } from '../../contract/step-contract';
import { etcdMemberRemove } from './etcd-member-remove';

const params = { member: 'master3' };
const host = { route: { kind: 'host' } };

/** etcd.member-remove: the member is in etcd, then gone; one action only, so drift is the first run again (a member of that name is back). */
export const contract: StepCases = {
  step: etcdMemberRemove,
  firstRun: { params, facts: { ...host, memberId: '8e9e05c52164694d' } },
  noop: { params, facts: { ...host, memberId: undefined } },
  drift: { params, facts: { ...host, memberId: '8e9e05c52164694d' } },
};
