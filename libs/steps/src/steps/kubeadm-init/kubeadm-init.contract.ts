import type { StepCases } from '../../contract/step-contract';
import { Secret } from '../../secret';
import { kubeadmInit } from './kubeadm-init';

const params = { kubernetesVersion: '1.33.2', controlPlaneEndpoint: { host: '192.0.2.100' } };
const secrets = { bootstrapToken: new Secret('abcdef.0123456789abcdef'), certificateKey: new Secret('a'.repeat(64)) };
const fresh = { kubeadmVersion: '1.33.2', adminConf: false, kubeletConf: false, apiserverManifest: false, server: undefined };

/**
 * kubeadm.init: kubeadm installed, nothing initialised; the control plane of this endpoint;
 * a node wiped by a manual `kubeadm reset` since (it is initialised again, as the first time).
 */
export const contract: StepCases = {
  step: kubeadmInit,
  firstRun: { params, secrets, facts: { state: fresh, advertiseAddress: '192.0.2.21', nodeName: 'master1' } },
  noop: { params, secrets, facts: { state: { ...fresh, adminConf: true, kubeletConf: true, apiserverManifest: true, server: 'https://192.0.2.100:6443' }, advertiseAddress: '192.0.2.21', nodeName: 'master1' } },
  drift: { params, secrets, facts: { state: fresh, advertiseAddress: '192.0.2.21', nodeName: 'master1' } },
};
