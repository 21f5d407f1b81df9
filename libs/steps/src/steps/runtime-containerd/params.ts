import * as z from 'zod';
import type { PackageFamily } from '../common/packages';
import { kubernetesVersionSchema } from '../common/params';

/** Parameters of `runtime.containerd`. */
export const runtimeContainerdParams = z
  .object({
    /** Picks the sandbox (pause) image kubeadm expects. */
    kubernetesVersion: kubernetesVersionSchema,
    /**
     * Where containerd comes from: the distribution, Docker's repository (containerd.io), or
     * auto: the distribution on apt hosts, Docker's repository on dnf hosts (RHEL and its
     * rebuilds ship no containerd; kubernetes.io docs/setup/production-environment/container-runtimes
     * and docs.docker.com/engine/install/rhel install containerd.io from download.docker.com).
     */
    source: z.enum(['auto', 'distro', 'docker']).default('auto'),
    /** Overrides the sandbox image derived from kubernetesVersion. */
    sandboxImage: z.string().min(1).optional(),
    configPath: z.string().startsWith('/', 'must be an absolute path').default('/etc/containerd/config.toml'),
  })
  .strict();
export type RuntimeContainerdParams = z.infer<typeof runtimeContainerdParams>;

/** Where containerd comes from on a host of this package family. */
export function containerdSource(family: PackageFamily, source: RuntimeContainerdParams['source']): 'distro' | 'docker' {
  if (source !== 'auto') return source;
  return family === 'apt' ? 'distro' : 'docker';
}
