import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import { Secret } from '../../secret';
import type { Step } from '../../step';
import { ADMIN_CONF, serverOf } from '../common/kubeadm-state';
import type { KubeadmAdminKubeconfigParams } from './params';
import { kubeadmAdminKubeconfigParams } from './params';

/** What kubeadm.admin-kubeconfig reads. Both hold a private key, so they stay Secrets. */
export interface KubeadmAdminKubeconfigFacts {
  admin: Secret;
  current: Secret | undefined;
}

/** Outputs of kubeadm.admin-kubeconfig. */
export interface KubeadmAdminKubeconfigOutputs {
  path: string;
  server: string;
}

/** Gives root kubectl access on a control plane: admin.conf copied to ~/.kube/config, 0600. */
export const kubeadmAdminKubeconfig: Step<KubeadmAdminKubeconfigParams, KubeadmAdminKubeconfigFacts, KubeadmAdminKubeconfigOutputs> = {
  id: 'kubeadm.admin-kubeconfig',
  title: "Set up root's kubeconfig from admin.conf",
  params: kubeadmAdminKubeconfigParams,

  async check(host, params) {
    const admin = await host.readFile(ADMIN_CONF);
    if (admin === undefined) {
      throw new StepFailure('CHECK_FAILED', `${ADMIN_CONF} does not exist on ${host.facts.hostName}. Fix: run this step on a control plane after kubeadm.init or kubeadm.join.`);
    }
    const current = await host.readFile(params.path);
    return { admin: new Secret(admin), current: current === undefined ? undefined : new Secret(current) };
  },

  plan(facts, params) {
    if (facts.current?.reveal() === facts.admin.reveal()) return planOf([], `${params.path} already equals ${ADMIN_CONF}`);
    return planOf(
      [
        {
          kind: 'write',
          path: params.path,
          content: facts.admin,
          mode: 0o600,
          why: facts.current === undefined ? `root has no kubeconfig at ${params.path}` : `${params.path} differs from ${ADMIN_CONF}`,
        },
      ],
      'unreachable',
    );
  },

  async outputs(_host, params, facts) {
    return { path: params.path, server: serverOf(facts.admin.reveal()) ?? '' };
  },
};
