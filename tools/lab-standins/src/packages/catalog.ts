/**
 * Packages the lab's package managers know beyond "record it": the stand-in commands each
 * one puts at /usr/bin (symlinks into the lab's bin dir) and the version it reports.
 * Payload files come from LAB/packages/PKG (see LAB-LAYOUT.md).
 */
export interface CatalogEntry {
  /** Stand-in commands the package installs as /usr/bin/NAME. */
  commands: string[];
  /** Other catalog packages installed with it (as pkgs.k8s.io's dependencies). */
  depends: string[];
  /** Patch level offered for whatever minor the configured pkgs.k8s.io repository serves. */
  patch: number;
}

/**
 * Kubernetes tools come from pkgs.k8s.io; the lab provides stand-ins. They can be installed
 * only once a pkgs.k8s.io repository is configured, and their version follows its minor:
 * repo v1.34 → deb 1.34.2-1.1, rpm 1.34.2-150500.1.1 (kubernetes-cni keeps its own 1.7.1).
 */
export const PACKAGE_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  kubeadm: { commands: ['kubeadm'], depends: ['cri-tools', 'kubernetes-cni'], patch: 2 },
  kubelet: { commands: ['kubelet'], depends: ['kubernetes-cni'], patch: 2 },
  kubectl: { commands: ['kubectl'], depends: [], patch: 2 },
  'cri-tools': { commands: ['crictl'], depends: [], patch: 0 },
  'kubernetes-cni': { commands: [], depends: [], patch: 1 },
};

/** Every command some package provides: not present in a host until that package is installed. */
export function packagedCommands(): Set<string> {
  return new Set([...Object.values(PACKAGE_CATALOG), ...Object.values(FILE_PACKAGES)].flatMap((e) => e.commands));
}

/** Debian packages a fresh lab host does not have yet (the machine has them for the lab's own use). */
export const FRESH_HOST_ABSENT = new Set([
  ...Object.keys(PACKAGE_CATALOG),
  'haproxy', 'keepalived', 'etcd-server', 'etcd-client', 'firewalld', 'containerd', 'conntrack', 'cloud-init',
  'socat', 'ebtables', 'ipset', 'ethtool', 'nftables', 'iptables',
]);

/** Debian packages the lab's apt knows even when the machine lacks them (installing records them). */
export const EXTRA_KNOWN_PACKAGES = new Set([
  'apt-transport-https', 'ca-certificates', 'curl', 'gpg', 'gnupg', 'socat', 'ebtables', 'ipset', 'ethtool',
  'conntrack', 'containerd', 'haproxy', 'keepalived', 'firewalld', 'iptables', 'nftables',
]);

/** A package of Docker's repository (download.docker.com) as the lab offers it. */
export interface DockerRepoPackage {
  deb: string;
  rpm: string;
  /** Units its maintainer scripts enable and start on apt (its deb is built with debhelper). */
  units: string[];
  /** Packages apt/dnf install with it, configured first (its Depends:). */
  depends?: string[];
  /** System groups its postinst adds (docker-ce: `groupadd --system docker`, which docker.socket's SocketGroup= needs). */
  groups?: string[];
}

/**
 * Packages of Docker's repository, offered once a download.docker.com source is configured.
 * Their payload (src/packages/package/PKG) holds the files they ship, e.g. containerd.io's
 * /etc/containerd/config.toml with the CRI plugin disabled (docker/containerd-packaging
 * common/containerd.toml). The binaries are the machine's Debian containerd.
 */
export const DOCKER_REPO_PACKAGES: Readonly<Record<string, DockerRepoPackage>> = {
  'containerd.io': { deb: '1.7.27-1', rpm: '1.7.27-3.1.el9', units: ['containerd.service'] },
  // Docker Engine 20.10.24: the binaries are Debian bookworm's docker.io 20.10.24 (tools/setup.sh
  // unpacks it into /var/cache/kumi-lab/docker/root; the payload links to it), units and
  // postinst as docker/docker-ce-packaging 20.10 ships them (deb/common/docker-ce.postinst).
  'docker-ce': { deb: '5:20.10.24~3-0~debian-bookworm', rpm: '3:20.10.24-1.el9', units: ['docker.socket', 'docker.service'], depends: ['containerd.io', 'docker-ce-cli'], groups: ['docker'] },
  'docker-ce-cli': { deb: '5:20.10.24~3-0~debian-bookworm', rpm: '1:20.10.24-1.el9', units: [] },
};

/** A package installed from a downloaded file (`apt-get install /path/x.deb`), e.g. cri-dockerd's release .deb. */
export interface FilePackage {
  /** Stand-in commands it installs as /usr/bin/NAME. */
  commands: string[];
  /** Units its debhelper postinst enables and starts on apt. */
  units: string[];
}

/**
 * Packages the lab installs from a .deb file: the file's control fields name it (dpkg-deb -f),
 * its payload is src/DIR/package/NAME. cri-dockerd's .deb (Mirantis/cri-dockerd
 * packaging/deb/common/rules, v0.3.16) ships /usr/bin/cri-dockerd and the cri-docker units.
 */
export const FILE_PACKAGES: Readonly<Record<string, FilePackage>> = {
  'cri-dockerd': { commands: ['cri-dockerd'], units: ['cri-docker.socket', 'cri-docker.service'] },
};
