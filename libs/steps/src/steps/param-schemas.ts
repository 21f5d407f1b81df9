import { cniFlannelParams } from './cni-flannel/params';
import { drillParams } from './drill/params';
import { firewallParams } from './firewall/params';
import { kubeadmAdminKubeconfigParams } from './kubeadm-admin-kubeconfig/params';
import { kubeadmInitParams } from './kubeadm-init/params';
import { kubeadmJoinParams } from './kubeadm-join/params';
import { kubeadmResetParams } from './kubeadm-reset/params';
import { kubeadmTokenCreateParams } from './kubeadm-token-create/params';
import { kubeadmTokenDeleteParams } from './kubeadm-token-delete/params';
import { kubeadmUploadCertsParams } from './kubeadm-upload-certs/params';
import { kubernetesPackagesParams } from './kubernetes-packages/params';
import { lbHaproxyParams } from './lb-haproxy/params';
import { lbKeepalivedParams } from './lb-keepalived/params';
import { preflightParams } from './preflight/params';
import { runtimeContainerdParams } from './runtime-containerd/params';
import { runtimeDockerParams } from './runtime-docker/params';
import { verifyParams } from './verify/params';

/**
 * The parameter schema of every HA-build step by step id, for planners that build step
 * requests without importing the steps themselves.
 */
export const haStepParamSchemas = {
  preflight: preflightParams,
  firewall: firewallParams,
  'runtime.containerd': runtimeContainerdParams,
  'runtime.docker': runtimeDockerParams,
  'kubernetes.packages': kubernetesPackagesParams,
  'lb.haproxy': lbHaproxyParams,
  'lb.keepalived': lbKeepalivedParams,
  'kubeadm.init': kubeadmInitParams,
  'kubeadm.upload-certs': kubeadmUploadCertsParams,
  'kubeadm.token-create': kubeadmTokenCreateParams,
  'kubeadm.token-delete': kubeadmTokenDeleteParams,
  'kubeadm.join': kubeadmJoinParams,
  'kubeadm.admin-kubeconfig': kubeadmAdminKubeconfigParams,
  'kubeadm.reset': kubeadmResetParams,
  'cni.flannel': cniFlannelParams,
  verify: verifyParams,
  drill: drillParams,
} as const;

/** Ids of the HA-build steps. */
export type HaStepId = keyof typeof haStepParamSchemas;

/** Secrets each step reads from its SecretBag (by name); steps not listed need none. */
export const haStepSecrets: Partial<Record<HaStepId, readonly string[]>> = {
  'kubeadm.init': ['bootstrapToken', 'certificateKey'],
  'kubeadm.upload-certs': ['certificateKey'],
  'kubeadm.token-create': ['bootstrapToken'],
  // kubeadm.join also needs certificateKey when it joins a control plane.
  'kubeadm.join': ['bootstrapToken'],
};
