import { planOf } from '../../plan';
import { kubeadmApiVersionFor, renderInitConfig } from '../../render/kubeadm-config';
import { StepFailure } from '../../run-types';
import { Secret } from '../../secret';
import type { Step } from '../../step';
import { KUBERNETES_CA_PATH, caCertHash } from '../common/ca-cert-hash';
import { criSocketFor } from '../common/cri-socket';
import { BOOTSTRAP_TOKEN, CERTIFICATE_KEY } from '../common/kubeadm-params';
import { bootstrapTokenOf, certificateKeyOf } from '../common/kubeadm-secrets';
import type { KubeadmNodeState } from '../common/kubeadm-state';
import { ADMIN_CONF, readKubeadmState, requireKubeadm } from '../common/kubeadm-state';
import type { KubeadmInitParams } from './params';
import { kubeadmInitParams } from './params';

/** What kubeadm.init reads from the host. */
export interface KubeadmInitFacts {
  state: KubeadmNodeState;
  advertiseAddress: string;
  nodeName: string;
}

/** Outputs of kubeadm.init: what joining nodes need (no secrets). */
export interface KubeadmInitOutputs {
  /** kubeadm's discovery hash of the cluster CA, "sha256:<hex>". */
  caCertHash: string;
  controlPlaneEndpoint: string;
  kubeadmVersion: string;
  kubeadmApiVersion: string;
}

/** Initialises the first control plane from a kubeadm config file holding the minted secrets. */
export const kubeadmInit: Step<KubeadmInitParams, KubeadmInitFacts, KubeadmInitOutputs> = {
  id: 'kubeadm.init',
  title: 'Initialise the first control plane (kubeadm init)',
  params: kubeadmInitParams,
  secrets: [BOOTSTRAP_TOKEN, CERTIFICATE_KEY],

  async check(host, params, secrets) {
    bootstrapTokenOf(secrets);
    certificateKeyOf(secrets);
    const state = await readKubeadmState(host);
    requireKubeadm(state, 'kubeadm.init');
    const endpoint = `https://${params.controlPlaneEndpoint.host}:${params.controlPlaneEndpoint.port}`;
    if (state.kubeletConf && !state.apiserverManifest) {
      throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} already joined a cluster as a worker. Fix: run kubeadm.reset on it first.`);
    }
    if (state.adminConf && state.server !== undefined && state.server !== endpoint) {
      throw new StepFailure(
        'CHECK_FAILED',
        `${host.facts.hostName} is already a control plane of a cluster at ${state.server}, not ${endpoint}. Fix: run kubeadm.reset on it first.`,
      );
    }
    if (state.apiserverManifest !== state.adminConf) {
      throw new StepFailure(
        'CHECK_FAILED',
        `${host.facts.hostName} holds a half-finished kubeadm init (admin.conf ${state.adminConf ? 'present' : 'missing'}, kube-apiserver manifest ${state.apiserverManifest ? 'present' : 'missing'}). Fix: run kubeadm.reset, then init again.`,
      );
    }
    return { state, advertiseAddress: params.advertiseAddress ?? host.facts.defaultIpv4, nodeName: params.nodeName ?? host.facts.hostName };
  },

  plan(facts, params, secrets) {
    if (facts.state.adminConf && facts.state.apiserverManifest) {
      return planOf([], `control plane already initialised for ${facts.state.server ?? 'this cluster'}`);
    }
    const endpoint = `${params.controlPlaneEndpoint.host}:${params.controlPlaneEndpoint.port}`;
    const config = renderInitConfig({
      kubernetesVersion: params.kubernetesVersion,
      controlPlaneEndpoint: endpoint,
      advertiseAddress: facts.advertiseAddress,
      bindPort: params.bindPort,
      nodeName: facts.nodeName,
      criSocket: criSocketFor(params.runtime),
      podSubnet: params.podCidr,
      serviceSubnet: params.serviceCidr,
      clusterName: params.clusterName,
      certSans: params.certSans,
      bootstrapToken: { token: bootstrapTokenOf(secrets).reveal(), ttl: params.tokenTtl, description: 'kumi bootstrap token (kubeadm.init)' },
      certificateKey: certificateKeyOf(secrets).reveal(),
    });
    return planOf(
      [
        {
          kind: 'run',
          argv: ['kubeadm', 'init', '--config', '{{file:kubeadm-init.yaml}}', '--upload-certs', '--skip-token-print', '--skip-certificate-key-print'],
          secretFiles: { 'kubeadm-init.yaml': new Secret(config) },
          why: `initialise the first control plane behind ${endpoint}`,
        },
        {
          kind: 'wait',
          // admin.conf points at the control-plane endpoint, so this answers only through the
          // load balancer (a bare TCP check would pass as soon as HAProxy listens).
          until: { kind: 'command', argv: ['kubectl', '--kubeconfig', ADMIN_CONF, 'get', 'nodes', '-o', 'name'] },
          what: `API server through ${endpoint}`,
          timeoutMs: 120_000,
          intervalMs: 1_000,
          why: 'joining nodes reach the API through the load balancer',
        },
      ],
      'unreachable',
    );
  },

  async outputs(host, params) {
    const ca = await host.readFile(KUBERNETES_CA_PATH);
    if (ca === undefined) throw new StepFailure('CHECK_FAILED', `${KUBERNETES_CA_PATH} is missing after kubeadm init. Fix: look at kubeadm's output above.`);
    const state = await readKubeadmState(host);
    return {
      caCertHash: caCertHash(ca),
      controlPlaneEndpoint: `${params.controlPlaneEndpoint.host}:${params.controlPlaneEndpoint.port}`,
      kubeadmVersion: state.kubeadmVersion ?? 'unknown',
      kubeadmApiVersion: kubeadmApiVersionFor(params.kubernetesVersion),
    };
  },
};
