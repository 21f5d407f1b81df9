import crypto from 'node:crypto';
import tls from 'node:tls';
import type { HostReader } from '../../step';

/** kubeadm's static pod manifests. */
export const MANIFESTS_DIR = '/etc/kubernetes/manifests';
/** Where kubeadm.certs-renew parks the manifests while the kubelet stops their pods. */
export const PARKED_DIR = '/etc/kubernetes/kumi-certs-renew-parked';

/** Where a static pod listens, and the serving certificate it loads at start (when it names one). */
export interface StaticPodEndpoint {
  component: string;
  host: string;
  port: number;
  servingCertFile: string | undefined;
}

function flagOf(manifest: string, name: string): string | undefined {
  return new RegExp(`--${name}=(\\S+)`).exec(manifest)?.[1]?.replace(/^["']|["']$/g, '');
}

/**
 * Where each control-plane static pod of kubeadm's manifests listens (kubeadm's defaults
 * where the manifest does not say: cmd/kubeadm/app/phases/controlplane/manifests.go and
 * phases/etcd/local.go): the API server on --advertise-address:--secure-port, etcd on its
 * first --listen-client-urls, the controller manager and scheduler on 127.0.0.1:10257 and
 * :10259. Undefined for a manifest of something else.
 */
export function endpointOf(file: string, manifest: string): StaticPodEndpoint | undefined {
  const component = file.replace(/\.yaml$/, '');
  switch (component) {
    case 'kube-apiserver':
      return { component, host: flagOf(manifest, 'advertise-address') ?? '127.0.0.1', port: Number(flagOf(manifest, 'secure-port') ?? 6443), servingCertFile: flagOf(manifest, 'tls-cert-file') };
    case 'etcd': {
      const url = new URL(flagOf(manifest, 'listen-client-urls')?.split(',')[0] ?? 'https://127.0.0.1:2379');
      return { component, host: url.hostname, port: Number(url.port || 2379), servingCertFile: flagOf(manifest, 'cert-file') };
    }
    case 'kube-controller-manager':
      return { component, host: flagOf(manifest, 'bind-address') ?? '127.0.0.1', port: Number(flagOf(manifest, 'secure-port') ?? 10257), servingCertFile: undefined };
    case 'kube-scheduler':
      return { component, host: flagOf(manifest, 'bind-address') ?? '127.0.0.1', port: Number(flagOf(manifest, 'secure-port') ?? 10259), servingCertFile: undefined };
    default:
      return undefined;
  }
}

/** The *.yaml files of a folder, by name. */
export async function readManifests(host: HostReader, folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await host.listDir(folder)) {
    if (!name.endsWith('.yaml')) continue;
    const content = await host.readFile(`${folder}/${name}`);
    if (content !== undefined) files[name] = content;
  }
  return files;
}

/** A client certificate to show a server that asks for one (etcd's --client-cert-auth). */
export interface ClientPair {
  cert: string;
  key: string;
}

/**
 * SHA-256 fingerprint of the certificate a TLS server presents, or undefined when nothing
 * answers in time (a stopped pod loads the files on disk when it starts, so it is not stale).
 */
export function servedFingerprint(host: string, port: number, client: ClientPair | undefined, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(client ?? {}), timeout: timeoutMs });
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.once('secureConnect', () => done(socket.getPeerCertificate().fingerprint256 || undefined));
    socket.once('timeout', () => done(undefined));
    socket.once('error', () => done(undefined));
  });
}

/** SHA-256 fingerprint of a PEM certificate, in the same form as servedFingerprint's. */
export function fileFingerprint(pem: string): string | undefined {
  try {
    return new crypto.X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}
