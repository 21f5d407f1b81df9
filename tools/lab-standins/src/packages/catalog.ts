/**
 * Packages the lab's package managers know beyond "record it": the stand-in commands each
 * one puts at /usr/bin (symlinks into the lab's bin dir) and the version it reports.
 * Payload files come from LAB/packages/PKG (see LAB-LAYOUT.md).
 */
/** A package a catalog package depends on, at least at this upstream version. */
export interface Dependency {
  name: string;
  atLeast: string;
}

/** The dependencies of the package's versions from `from` up to (not including) `below`. */
export interface DependencyRange {
  from: string;
  below?: string;
  depends: Dependency[];
}

export interface CatalogEntry {
  /** Stand-in commands the package installs as /usr/bin/NAME. */
  commands: string[];
  /** Other catalog packages installed with it, by the package's version (as pkgs.k8s.io's). */
  depends: DependencyRange[];
  /** Patch level offered for whatever minor the configured pkgs.k8s.io repository serves. */
  patch: number;
}

/**
 * Kubernetes tools come from pkgs.k8s.io; the lab provides stand-ins. They can be installed
 * only once a pkgs.k8s.io repository is configured, and their version follows its minor:
 * repo v1.34 → deb 1.34.2-1.1, rpm 1.34.2-150500.1.1 (kubernetes-cni keeps its own 1.7.1).
 */
export const PACKAGE_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  // Dependencies as pkgs.k8s.io's packages declare them (kubernetes/release
  // cmd/krel/templates/latest/metadata.yaml, f618b2a3), from v1.24 (pkgs.k8s.io's first minor);
  // its ranges below 1.28 are merged where only the minimum versions differ.
  kubeadm: {
    commands: ['kubeadm'],
    depends: [
      { from: '1.24.0', below: '1.28.0', depends: [dep('kubelet', '1.19.0'), dep('kubectl', '1.19.0'), dep('kubernetes-cni', '0.8.7'), dep('cri-tools', '1.23.0')] },
      { from: '1.28.0', below: '1.30.0', depends: [dep('kubelet', '1.19.0'), dep('kubectl', '1.19.0'), dep('kubernetes-cni', '1.2.0'), dep('cri-tools', '1.28.0')] },
      { from: '1.30.0', below: '1.32.0', depends: [dep('cri-tools', '1.30.0')] },
      // 1.32.0 and later: no dependencies at all (crictl is not installed with kubeadm).
    ],
    patch: 2,
  },
  kubelet: {
    commands: ['kubelet'],
    depends: [
      { from: '1.24.0', below: '1.28.0', depends: [dep('kubernetes-cni', '0.8.7')] },
      { from: '1.28.0', depends: [dep('kubernetes-cni', '1.2.0')] },
    ],
    patch: 2,
  },
  kubectl: { commands: ['kubectl'], depends: [], patch: 2 },
  'cri-tools': { commands: ['crictl'], depends: [], patch: 0 },
  'kubernetes-cni': { commands: [], depends: [], patch: 1 },
};

function dep(name: string, atLeast: string): Dependency {
  return { name, atLeast };
}

/**
 * -1, 0 or 1 comparing the upstream x.y.z of two package versions ("1.33.2-1.1",
 * "1:1.7.1-150500.1.1", "5:20.10.24~3-0~debian-bookworm", "1.7.1+dfsg"): each component's
 * leading digits ("24~3" → 24, "1+dfsg" → 1; none → 0), so suffixes never make it NaN.
 */
export function compareUpstream(a: string, b: string): number {
  const component = (c: string) => {
    const n = Number.parseInt(c, 10);
    return Number.isNaN(n) ? 0 : n;
  };
  const parts = (v: string) => (v.split(':').pop() ?? '').split('-')[0]!.split('.').map(component);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** What a catalog package of this version depends on (none outside the catalog's ranges). */
export function dependenciesAt(entry: Pick<CatalogEntry, 'depends'> | undefined, version: string): Dependency[] {
  const range = entry?.depends.find((r) => compareUpstream(version, r.from) >= 0 && (r.below === undefined || compareUpstream(version, r.below) < 0));
  return range?.depends ?? [];
}

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
