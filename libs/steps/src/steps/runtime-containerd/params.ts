import * as z from 'zod';
import { kubernetesVersionSchema } from '../common/params';

/** Parameters of `runtime.containerd`. */
export const runtimeContainerdParams = z
  .object({
    /** Picks the sandbox (pause) image kubeadm expects. */
    kubernetesVersion: kubernetesVersionSchema,
    /** Where containerd comes from: the distribution or Docker's repository (containerd.io). */
    source: z.enum(['distro', 'docker']).default('distro'),
    /** Overrides the sandbox image derived from kubernetesVersion. */
    sandboxImage: z.string().min(1).optional(),
    configPath: z.string().startsWith('/', 'must be an absolute path').default('/etc/containerd/config.toml'),
  })
  .strict();
export type RuntimeContainerdParams = z.infer<typeof runtimeContainerdParams>;
