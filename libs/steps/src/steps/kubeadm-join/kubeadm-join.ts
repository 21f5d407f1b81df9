import { planOf } from '../../plan';
import { renderJoinConfig } from '../../render/kubeadm-config';
import { StepFailure } from '../../run-types';
import { Secret } from '../../secret';
import type { Step } from '../../step';
import { KUBERNETES_CA_PATH, caCertHash } from '../common/ca-cert-hash';
import { criSocketFor } from '../common/cri-socket';
import { bootstrapTokenOf, certificateKeyOf } from '../common/kubeadm-secrets';
import type { KubeadmNodeState } from '../common/kubeadm-state';
import { KUBELET_CONF, readKubeadmState, requireKubeadm } from '../common/kubeadm-state';
import type { KubeadmJoinParams } from './params';
import { kubeadmJoinParams } from './params';

/** The kubelet's client certificate, written by its TLS bootstrap at the end of a join. */
export const KUBELET_CLIENT_CERT = '/var/lib/kubelet/pki/kubelet-client-current.pem';

/** What kubeadm.join reads from the host. */
export interface KubeadmJoinFacts {
  state: KubeadmNodeState;
  /** Whether KUBELET_CLIENT_CERT exists. */
  kubeletClientCert: boolean;
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
 *
 * The secrets are not declared in `secrets` (which the executor demands before check):
 * check reads only local files, so a finished join can be re-checked (a dry run on
 * resume) without them; plan demands them only when a join is still needed.
 */
export const kubeadmJoin: Step<KubeadmJoinParams, KubeadmJoinFacts, KubeadmJoinOutputs> = {
  id: 'kubeadm.join',
  title: 'Join the cluster (kubeadm join)',
  params: kubeadmJoinParams,

  async check(host, params) {
    const state = await readKubeadmState(host);
    requireKubeadm(state, 'kubeadm.join');
    const endpoint = `https://${params.controlPlaneEndpoint.host}:${params.controlPlaneEndpoint.port}`;
    if (state.kubeletConf && params.role === 'control-plane' && !state.apiserverManifest) {
      throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} already joined as a worker. Fix: run kubeadm.reset on it, then join as a control plane.`);
    }
    if (state.kubeletConf && params.role === 'worker' && state.server !== undefined && state.server !== endpoint) {
      throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} already belongs to a cluster at ${state.server}. Fix: run kubeadm.reset on it first.`);
    }
    const kubeletClientCert = await host.exists(KUBELET_CLIENT_CERT);
    if (state.kubeletConf && params.role === 'worker' && !kubeletClientCert) {
      // kubeadm join would stop at its preflight (kubelet.conf exists), so it cannot just run again.
      throw new StepFailure(
        'CHECK_FAILED',
        `${host.facts.hostName} has ${KUBELET_CONF} but no ${KUBELET_CLIENT_CERT}: an earlier join did not finish the kubelet's TLS bootstrap. Fix: run kubeadm.reset on it, then join again.`,
      );
    }
    return { state, kubeletClientCert, advertiseAddress: params.advertiseAddress ?? host.facts.defaultIpv4, nodeName: params.nodeName ?? host.facts.hostName };
  },

  plan(facts, params, secrets) {
    const joined = params.role === 'worker' ? facts.state.kubeletConf && facts.kubeletClientCert : facts.state.kubeletConf && facts.state.apiserverManifest;
    if (joined) {
      return planOf([], `${facts.nodeName} already joined the cluster as a ${params.role === 'worker' ? 'worker' : 'control plane'}`);
    }
    // Checked before anything else, so a missing secret is named even for a dry run.
    const token = bootstrapTokenOf(secrets).reveal();
    const controlPlane =
      params.role === 'control-plane'
        ? { advertiseAddress: facts.advertiseAddress, bindPort: params.bindPort, certificateKey: certificateKeyOf(secrets).reveal() }
        : undefined;
    const endpoint = `${params.controlPlaneEndpoint.host}:${params.controlPlaneEndpoint.port}`;
    const config = renderJoinConfig({
      kubernetesVersion: params.kubernetesVersion,
      apiServerEndpoint: endpoint,
      token,
      caCertHashes: params.caCertHashes,
      nodeName: facts.nodeName,
      criSocket: criSocketFor(params.runtime),
      controlPlane,
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
