import type { StepCases } from '../../contract/step-contract';
import { kubeadmTokenDelete } from './kubeadm-token-delete';

const params = { tokenId: 'abcdef' };

/** kubeadm.token-delete: the join token still listed; gone; listed again (a rerun after a crash that recreated it). */
export const contract: StepCases = {
  step: kubeadmTokenDelete,
  firstRun: { params, facts: { present: true } },
  noop: { params, facts: { present: false } },
  drift: { params, facts: { present: true } },
};
