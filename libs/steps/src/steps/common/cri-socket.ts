import type { RuntimeName } from './params';

/** kubeadm's nodeRegistration.criSocket for a runtime (always set: Docker hosts also run containerd). */
export function criSocketFor(runtime: RuntimeName): string {
  return runtime === 'docker' ? 'unix:///var/run/cri-dockerd.sock' : 'unix:///var/run/containerd/containerd.sock';
}
