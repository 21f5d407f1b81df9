import * as z from 'zod';

/** Parameters of `kubeadm.admin-kubeconfig`: root's kubeconfig from admin.conf. */
export const kubeadmAdminKubeconfigParams = z
  .object({
    path: z.string().startsWith('/', 'must be an absolute path').default('/root/.kube/config'),
  })
  .strict();
export type KubeadmAdminKubeconfigParams = z.infer<typeof kubeadmAdminKubeconfigParams>;
