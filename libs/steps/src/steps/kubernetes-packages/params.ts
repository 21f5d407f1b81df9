import * as z from 'zod';
import { kubernetesVersionSchema, runtimeSchema } from '../common/params';

/** Parameters of `kubernetes.packages`. */
export const kubernetesPackagesParams = z
  .object({
    kubernetesVersion: kubernetesVersionSchema,
    /** The pkgs.k8s.io stable channel; the minor version and deb/rpm are appended. */
    repositoryBase: z.string().startsWith('https://', 'must be an https URL').default('https://pkgs.k8s.io/core:/stable:'),
    /** Pull the control-plane images now (`kubeadm config images pull`). */
    prePullImages: z.boolean().default(true),
    runtime: runtimeSchema.default('containerd'),
  })
  .strict();
export type KubernetesPackagesParams = z.infer<typeof kubernetesPackagesParams>;
