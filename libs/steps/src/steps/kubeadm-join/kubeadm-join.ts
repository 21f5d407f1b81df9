import { planOf } from '../../plan';
import { renderJoinConfig } from '../../render/kubeadm-config';
import { StepFailure } from '../../run-types';
import { Secret } from '../../secret';
import type { Step } from '../../step';
import { KUBERNETES_CA_PATH, caCertHash } from '../common/ca-cert-hash';
import { criSocketFor } from '../common/cri-socket';
import { BOOTSTRAP_TOKEN } from '../common/kubeadm-params';
import { bootstrapTokenOf, certificateKeyOf } from '../common/kubeadm-secrets';
import type { KubeadmNodeState } from '../common/kubeadm-state';
import { readKubeadmState, requireKubeadm } from '../common/kubeadm-state';
import type { KubeadmJoinParams } from './params';
import { kubeadmJoinParams } from './params';

/** What kubeadm.join reads from the host. */
export interface KubeadmJoinFacts {
  state: KubeadmNodeState;
  advertiseAddress: string;
  nodeName: string;
}

/** Outputs of kubeadm.join. */
export interface KubeadmJoinOutputs {
  role: 'control-plane' | 'worker';
  nodeName: string;
  /** The discovery hash of the CA this node now trusts. */
  caCertHash: string;
}

/**
 * Joins this host as a control plane or a worker from a JoinConfiguration file that
 * holds the token (and certificate key), written 0600 and removed after.
 */
export const kubeadmJoin: Step<KubeadmJoinParams, KubeadmJoinFacts, KubeadmJoinOutputs> = {
  id: 'kubeadm.join',
  title: 'Join the cluster (kubeadm join)',
  params: kubeadmJoinParams,
  secrets: [BOOTSTRAP_TOKEN],

  async check(host, params, secrets) {
    bootstrapTokenOf(secrets);
    if (params.role === 'control-plane') certificateKeyOf(secrets);
    const state = await readKubeadmState(host);
    requireKubeadm(state, 'kubeadm.join');
    const endpoint = `https://${params.controlPlaneEndpoint.host}:${params.controlPlaneEndpoint.port}`;
    if (state.kubeletConf && params.role === 'control-plane' && !state.apiserverManifest) {
      throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} already joined as a worker. Fix: run kubeadm.reset on it, then join as a control plane.`);
    }
    if (state.kubeletConf && params.role === 'worker' && state.server !== undefined && state.server !== endpoint) {
      throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} already belongs to a cluster at ${state.server}. Fix: run kubeadm.reset on it first.`);
    }
    return { state, advertiseAddress: params.advertiseAddress ?? host.facts.defaultIpv4, nodeName: params.nodeName ?? host.facts.hostName };
  },

  plan(facts, params, secrets) {
    if (facts.state.kubeletConf && (params.role === 'worker' || facts.state.apiserverManifest)) {
      return planOf([], `${facts.nodeName} already joined the cluster as a ${params.role === 'worker' ? 'worker' : 'control plane'}`);
    }
    const endpoint = `${params.controlPlaneEndpoint.host}:${params.controlPlaneEndpoint.port}`;
    const config = renderJoinConfig({
      kubernetesVersion: params.kubernetesVersion,
      apiServerEndpoint: endpoint,
      token: bootstrapTokenOf(secrets).reveal(),
      caCertHashes: params.caCertHashes,
      nodeName: facts.nodeName,
      criSocket: criSocketFor(params.runtime),
      controlPlane:
        params.role === 'control-plane'
          ? { advertiseAddress: facts.advertiseAddress, bindPort: params.bindPort, certificateKey: certificateKeyOf(secrets).reveal() }
          : undefined,
    });
    return planOf(
      [
        {
          kind: 'run',
          argv: ['kubeadm', 'join', '--config', '{{file:kubeadm-join.yaml}}'],
          secretFiles: { 'kubeadm-join.yaml': new Secret(config) },
          why: `join ${endpoint} as a ${params.role === 'worker' ? 'worker' : 'control plane'}`,
        },
      ],
      'unreachable',
    );
  },

  async outputs(host, params, facts) {
    const ca = await host.readFile(KUBERNETES_CA_PATH);
    if (ca === undefined) throw new StepFailure('CHECK_FAILED', `${KUBERNETES_CA_PATH} is missing after kubeadm join. Fix: look at kubeadm's output above.`);
    return { role: params.role, nodeName: facts.nodeName, caCertHash: caCertHash(ca) };
  },
};
