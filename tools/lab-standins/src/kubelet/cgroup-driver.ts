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
 * Why pods cannot start when the drivers differ, or undefined when sandboxes start. The kubelet
 * names a pod's cgroup parent for its driver ("/kubepods/besteffort/pod<uid>" for cgroupfs,
 * "kubepods-besteffort-pod<uid>.slice" for systemd) and containerd's CRI derives the sandbox's
 * cgroupsPath from that parent alone (containerd pkg/cri/server/helpers_linux.go getCgroupsPath,
 * v1.7: a parent ending in ".slice" gives "<slice>:cri-containerd:<id>", else "<parent>/<id>"):
 * - runtime systemd, kubelet cgroupfs: runc's systemd manager refuses "/kubepods/.../<id>"
 *   (opencontainers/runc libcontainer/specconv/spec_linux.go CreateCgroupConfig, v1.1: the
 *   message below), so every sandbox fails, static pods included;
 * - runtime cgroupfs, kubelet systemd: runc's fs manager takes the "slice:cri-containerd:id"
 *   string as a relative path under its own cgroup (libcontainer/cgroups/fs/paths.go
 *   cgroupData.path, v1.1) and the sandbox starts, outside the kubelet's kubepods slice: no
 *   error to report here.
 */
export function cgroupMismatch(kubelet: CgroupDriver, runtime: CgroupDriver | undefined): string | undefined {
  if (runtime !== 'systemd' || kubelet === 'systemd') return undefined;
  return 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "/kubepods/besteffort/pod.../..." instead (kubelet cgroupDriver=cgroupfs, runtime systemd)';
}
