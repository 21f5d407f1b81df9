import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inHost, writeHostFile } from '../in-host';
import type { Topology } from '../topology';

/** Where tools/setup.sh unpacks Debian's docker.io (the lab's docker-ce payload links to it). */
export const DOCKER_CACHE = '/var/cache/kumi-lab/docker';
/** cri-dockerd's release .deb for Debian 12 as GitHub names it (Mirantis/cri-dockerd releases, v0.3.16). */
export const CRI_DOCKERD_URL = 'https://github.com/Mirantis/cri-dockerd/releases/download/v0.3.16/cri-dockerd_0.3.16.3-0.debian-bookworm_amd64.deb';
const CRI_DOCKERD_DEB = path.join(DOCKER_CACHE, 'cri-dockerd_0.3.16.3-0.debian-bookworm_amd64.deb');

/** Why the Docker row cannot run on this machine, or undefined. */
export function dockerSkipReason(): string | undefined {
  return existsSync(path.join(DOCKER_CACHE, 'root/usr/sbin/dockerd')) ? undefined : `${DOCKER_CACHE}/root/usr/sbin/dockerd is missing: run tools/setup.sh as root`;
}

/**
 * The lab's copy of cri-dockerd's .deb, built with the real dpkg-deb: its control fields as the
 * release's (the lab's apt-get reads them; the files come from the lab's cri-dockerd payload).
 * Returns its path and sha256, which the spec pins as kumi requires.
 */
export function criDockerdDeb(): { file: string; sha256: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cri-dockerd-deb-'));
  try {
    mkdirSync(path.join(dir, 'DEBIAN'));
    writeFileSync(path.join(dir, 'DEBIAN/control'), 'Package: cri-dockerd\nVersion: 0.3.16.3-0.debian-bookworm\nArchitecture: amd64\nMaintainer: Mirantis <support@mirantis.com>\nDepends: containerd (>= 1.2.2-3) | containerd.io (>= 1.2.2-3), iptables\nDescription: CRI interface for Docker (kumi lab copy)\n');
    execFileSync('dpkg-deb', ['--build', '--root-owner-group', dir, CRI_DOCKERD_DEB], { stdio: 'ignore', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { file: CRI_DOCKERD_DEB, sha256: createHash('sha256').update(readFileSync(CRI_DOCKERD_DEB)).digest('hex') };
}

/**
 * The hosts have no uplink: this curl, first on PATH, answers the URLs runtime.docker and
 * kubernetes.packages fetch (pkgs.k8s.io's and Docker's signing keys: a lab key, the lab's apt
 * does not verify; cri-dockerd's release .deb: the lab's copy) and hands every other call to the
 * real curl, which can only reach the lab.
 */
const CURL_WRAPPER = `#!/bin/sh
# kumi lab: serves the signing keys and cri-dockerd's .deb (the hosts have no uplink).
url=""; out=""; prev=""
for arg in "$@"; do
  case "$arg" in https://pkgs.k8s.io/*|https://download.docker.com/*|${CRI_DOCKERD_URL}) url=$arg ;; esac
  [ "$prev" = "-o" ] && out=$arg
  prev=$arg
done
[ -z "$url" ] && exec /usr/bin/curl "$@"
[ -n "$out" ] && exec >"$out"
case "$url" in
  ${CRI_DOCKERD_URL}) exec cat ${CRI_DOCKERD_DEB} ;;
esac
printf '%s\\n' '-----BEGIN PGP PUBLIC KEY BLOCK-----' "kumi lab key for $url" '-----END PGP PUBLIC KEY BLOCK-----'
`;

/**
 * What a Docker host needs beyond the lab itself, on every Kubernetes node: the curl above and
 * a disk for /var/lib/docker (a tmpfs: overlay2 cannot stack on the lab's overlayfs /var/lib,
 * as on real hosts it sits on ext4 or xfs). Call it after provisionSeedExtras.
 */
export async function provisionDockerHosts(topology: Topology): Promise<void> {
  await Promise.all(
    topology.hosts.filter((h) => h.role !== 'lb').map(async (host) => {
      await writeHostFile(host.name, '/usr/local/bin/curl', CURL_WRAPPER, 0o755);
      const mounted = await inHost(host.name, ['sh', '-c', 'mkdir -p /var/lib/docker && { mountpoint -q /var/lib/docker || mount -t tmpfs -o size=2g docker-disk /var/lib/docker; }'], { timeoutMs: 20_000 });
      if (mounted.exitCode !== 0) throw new Error(`${host.name}: cannot mount a tmpfs on /var/lib/docker: ${String(mounted.stderr)}`);
    }),
  );
}

/** examples/seed-ha.yaml with runtime docker and cri-dockerd's package pinned to the lab's copy. */
export function dockerSpec(seedSpec: string, sha256: string): string {
  const spec = seedSpec
    .replace(/^ {2}name: seed-ha$/m, '  name: lab-docker')
    .replace(/^ {2}runtime: containerd$/m, `  runtime: docker\n  docker:\n    criDockerd:\n      version: 0.3.16\n      package:\n        url: ${CRI_DOCKERD_URL}\n        sha256: ${sha256}`);
  if (!spec.includes('runtime: docker') || !spec.includes('name: lab-docker')) throw new Error('examples/seed-ha.yaml changed: update dockerSpec()');
  return spec;
}
