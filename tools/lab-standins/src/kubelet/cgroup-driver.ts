/** A cgroup driver, as KubeletConfiguration and the runtimes name them. */
export type CgroupDriver = 'systemd' | 'cgroupfs';

/**
 * Reads the cgroup driver the container runtime runs its containers with (the running
 * runtime's, not its config file's): undefined when it cannot be told. Injected into the
 * kubelet; the runtime side (crictl/CRI of the lab's containerd) provides it.
 */
export type RuntimeCgroupDriverReader = () => Promise<CgroupDriver | undefined>;

/**
 * The kubelet's cgroupDriver from its KubeletConfiguration: "cgroupfs" when the field is
 * absent (kubernetes/kubernetes pkg/kubelet/apis/config/v1beta1/defaults.go); kubeadm writes
 * "systemd" since v1.22 (cmd/kubeadm/app/componentconfigs/kubelet.go).
 */
export function kubeletCgroupDriver(config: { cgroupDriver?: unknown } | null | undefined): CgroupDriver {
  return config?.cgroupDriver === 'systemd' ? 'systemd' : 'cgroupfs';
}

/**
 * Why pods cannot start when the drivers differ, or undefined when they match (or the
 * runtime's is unknown). The kubelet and the runtime must use the same driver
 * (kubernetes.io/docs/setup/production-environment/container-runtimes/#cgroup-drivers): the
 * kubelet names pod cgroups for its driver ("kubepods-besteffort-pod<uid>.slice" for systemd,
 * "/kubepods/besteffort/pod<uid>" for cgroupfs) and runc refuses a path of the other kind, so
 * every sandbox creation fails.
 */
export function cgroupMismatch(kubelet: CgroupDriver, runtime: CgroupDriver | undefined): string | undefined {
  if (runtime === undefined || runtime === kubelet) return undefined;
  const detail = runtime === 'systemd'
    ? 'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "/kubepods/besteffort/pod..." instead'
    : 'cgroup path "kubepods-besteffort-pod....slice" is not absolute: the runtime uses cgroupfs';
  return `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ${detail} (kubelet cgroupDriver=${kubelet}, runtime ${runtime})`;
}
