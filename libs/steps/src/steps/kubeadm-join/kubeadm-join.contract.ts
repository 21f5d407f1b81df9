import type { StepCases } from '../../contract/step-contract';
import { Secret } from '../../secret';
import { kubeadmJoin } from './kubeadm-join';

const params = { role: 'worker', kubernetesVersion: '1.33.2', controlPlaneEndpoint: { host: '192.0.2.100' }, caCertHashes: [`sha256:${'0'.repeat(64)}`] };
const secrets = { bootstrapToken: new Secret('abcdef.0123456789abcdef') };
const fresh = { kubeadmVersion: '1.33.2', adminConf: false, kubeletConf: false, apiserverManifest: false, server: undefined };

/**
 * kubeadm.join (worker): nothing joined; kubelet.conf and the kubelet's client certificate in
 * place; kubelet.conf deleted by hand since (the old client certificate is left): join again.
 */
export const contract: StepCases = {
  step: kubeadmJoin,
  firstRun: { params, secrets, facts: { state: fresh, kubeletClientCert: false, advertiseAddress: '192.0.2.31', nodeName: 'worker1' } },
  noop: { params, secrets, facts: { state: { ...fresh, kubeletConf: true, server: 'https://192.0.2.100:6443' }, kubeletClientCert: true, advertiseAddress: '192.0.2.31', nodeName: 'worker1' } },
  drift: { params, secrets, facts: { state: fresh, kubeletClientCert: true, advertiseAddress: '192.0.2.31', nodeName: 'worker1' } },
};
