import { planOf } from '../../plan';
import type { Step } from '../../step';
import { ADMIN_CONF, requireControlPlane } from '../common/kubeadm-state';
import { listTokens } from '../common/token-list';
import type { KubeadmTokenDeleteParams } from './params';
import { kubeadmTokenDeleteParams } from './params';

/** What kubeadm.token-delete reads from the cluster. */
export interface KubeadmTokenDeleteFacts {
  present: boolean;
}

/** Deletes a bootstrap token by its public id once the joins that needed it are done. */
export const kubeadmTokenDelete: Step<KubeadmTokenDeleteParams, KubeadmTokenDeleteFacts> = {
  id: 'kubeadm.token-delete',
  title: 'Delete a bootstrap token',
  params: kubeadmTokenDeleteParams,

  async check(host, params) {
    await requireControlPlane(host, 'kubeadm.token-delete');
    return { present: (await listTokens(host)).some((token) => token.id === params.tokenId) };
  },

  plan(facts, params) {
    if (!facts.present) return planOf([], `bootstrap token ${params.tokenId} does not exist (already deleted or expired)`);
    return planOf(
      [{ kind: 'run', argv: ['kubeadm', 'token', 'delete', '--kubeconfig', ADMIN_CONF, params.tokenId], why: `revoke bootstrap token ${params.tokenId}` }],
      'unreachable',
    );
  },
};
