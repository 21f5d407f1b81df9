import { planOf } from '../../plan';
import { renderTokenConfig } from '../../render/kubeadm-config';
import { StepFailure } from '../../run-types';
import { Secret } from '../../secret';
import type { Step } from '../../step';
import { KUBERNETES_CA_PATH, caCertHash } from '../common/ca-cert-hash';
import { BOOTSTRAP_TOKEN } from '../common/kubeadm-params';
import { bootstrapTokenOf, tokenIdOf } from '../common/kubeadm-secrets';
import { ADMIN_CONF, requireControlPlane } from '../common/kubeadm-state';
import type { ListedToken } from '../common/token-list';
import { listTokens } from '../common/token-list';
import type { KubeadmTokenCreateParams } from './params';
import { kubeadmTokenCreateParams } from './params';

/** What kubeadm.token-create reads from the cluster. */
export interface KubeadmTokenCreateFacts {
  tokenId: string;
  /** The token with this id, when it exists already. */
  existing: ListedToken | undefined;
}

/** Outputs of kubeadm.token-create: the public id and expiry, never the secret. */
export interface KubeadmTokenCreateOutputs {
  tokenId: string;
  expires: string;
  /** The cluster CA's discovery hash, for the joins this token is for. */
  caCertHash: string;
}

/** Creates the coordinator-minted bootstrap token on a control plane. */
export const kubeadmTokenCreate: Step<KubeadmTokenCreateParams, KubeadmTokenCreateFacts, KubeadmTokenCreateOutputs> = {
  id: 'kubeadm.token-create',
  title: 'Create a bootstrap token for joining nodes',
  params: kubeadmTokenCreateParams,
  secrets: [BOOTSTRAP_TOKEN],

  async check(host, _params, secrets) {
    const tokenId = tokenIdOf(bootstrapTokenOf(secrets));
    await requireControlPlane(host, 'kubeadm.token-create');
    return { tokenId, existing: (await listTokens(host)).find((token) => token.id === tokenId) };
  },

  plan(facts, params, secrets) {
    if (facts.existing !== undefined) {
      return planOf([], `bootstrap token ${facts.tokenId} already exists${facts.existing.expires ? ` (expires ${facts.existing.expires})` : ''}`);
    }
    const config = renderTokenConfig(params.kubernetesVersion, {
      token: bootstrapTokenOf(secrets).reveal(),
      ttl: params.ttl,
      description: params.description,
    });
    return planOf(
      [
        {
          kind: 'run',
          argv: ['kubeadm', 'token', 'create', '--kubeconfig', ADMIN_CONF, '--config', '{{file:token.yaml}}'],
          secretFiles: { 'token.yaml': new Secret(config) },
          why: `create bootstrap token ${facts.tokenId} (TTL ${params.ttl})`,
        },
      ],
      'unreachable',
    );
  },

  async outputs(host, _params, facts) {
    const token = (await listTokens(host)).find((listed) => listed.id === facts.tokenId);
    if (token === undefined) throw new StepFailure('CHECK_FAILED', `bootstrap token ${facts.tokenId} is not listed after creation. Fix: look at kubeadm's output above.`);
    const ca = await host.readFile(KUBERNETES_CA_PATH);
    if (ca === undefined) throw new StepFailure('CHECK_FAILED', `${KUBERNETES_CA_PATH} is missing. Fix: create tokens on an initialised control plane.`);
    return { tokenId: token.id, expires: token.expires, caCertHash: caCertHash(ca) };
  },
};
