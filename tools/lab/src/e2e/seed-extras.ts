import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeHostFile } from '../in-host';
import { REPO_ROOT } from '../cluster/kumi-bundles';
import type { Topology } from '../topology';

/** Where examples/seed-ha.yaml points cni.manifest.path (an air-gapped copy of kube-flannel.yml). */
export const FLANNEL_MANIFEST_PATH = '/opt/kumi/kube-flannel.yml';
/** flannel v0.26.7's kube-flannel.yml as the lab's stand-ins read it. */
export const FLANNEL_MANIFEST_SOURCE = path.join(REPO_ROOT, 'tools/lab-standins/test/fixtures/kube-flannel.yml');

/**
 * The hosts have no uplink, yet the step kubernetes.packages fetches the pkgs.k8s.io signing
 * key with curl (as the kubeadm install guide does). This wrapper, first on PATH, answers
 * exactly that URL with a lab key (the lab's apt-get does not verify signatures) and hands
 * every other call to the real curl, which can only reach the lab.
 */
const CURL_WRAPPER = `#!/bin/sh
# kumi lab: serves the pkgs.k8s.io repository signing key (the hosts have no uplink).
url=""; out=""; prev=""
for arg in "$@"; do
  case "$arg" in https://pkgs.k8s.io/core:/stable:/v1.*/deb/Release.key) url=$arg ;; esac
  [ "$prev" = "-o" ] && out=$arg
  prev=$arg
done
[ -z "$url" ] && exec /usr/bin/curl "$@"
[ -n "$out" ] && exec >"$out"
printf '%s\\n' '-----BEGIN PGP PUBLIC KEY BLOCK-----' "kumi lab key for $url" '-----END PGP PUBLIC KEY BLOCK-----'
`;

/**
 * What the seed's spec expects of hosts beyond the lab itself: the pkgs.k8s.io key reachable
 * (curl wrapper at /usr/local/bin/curl in every node) and kube-flannel.yml at
 * /opt/kumi/kube-flannel.yml on the control planes. Call it after the lab is up.
 */
export async function provisionSeedExtras(topology: Topology): Promise<void> {
  const manifest = readFileSync(FLANNEL_MANIFEST_SOURCE, 'utf8');
  await Promise.all(
    topology.hosts.map(async (host) => {
      if (host.role === 'lb') return;
      await writeHostFile(host.name, '/usr/local/bin/curl', CURL_WRAPPER, 0o755);
      if (host.role === 'master') await writeHostFile(host.name, FLANNEL_MANIFEST_PATH, manifest, 0o644);
    }),
  );
}
