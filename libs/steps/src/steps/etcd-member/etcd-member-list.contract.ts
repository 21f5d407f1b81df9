import type { StepCases } from '../../contract/step-contract';
import type { EtcdMember } from './etcd-members';
import { etcdMemberList } from './etcd-member-list';

const member = (name: string, healthy = true): EtcdMember => ({ id: `${name}-id`, name, clientUrls: [`https://${name}:2379`], healthy });

/** etcd.member-list only reads: three healthy members, then one unhealthy (drift shows in the reason). */
export const contract: StepCases = {
  step: etcdMemberList,
  readOnly: true,
  firstRun: { params: {}, facts: { members: [member('master1'), member('master2'), member('master3')] } },
  noop: { params: {}, facts: { members: [member('master1'), member('master2'), member('master3')] } },
  drift: { params: {}, facts: { members: [member('master1'), member('master2'), member('master3', false)] } },
};
