import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import YAML from 'yaml';

/**
 * The certificates kubeadm's renewal manager handles, by name (k/k
 * cmd/kubeadm/app/phases/certs/renewal/manager.go NewManager: the certificate tree of
 * certsphase.GetDefaultCertList, plus the client certificates embedded in admin.conf,
 * super-admin.conf, controller-manager.conf and scheduler.conf; kubelet.conf is left to the
 * kubelet). Names, long names and CA names as in cmd/kubeadm/app/phases/certs/certlist.go.
 */
export interface ManagedCert {
  readonly name: string;
  readonly longName: string;
  /** Where it lives: a PKI base name under the certificates dir, or a kubeconfig under /etc/kubernetes. */
  readonly where: { kind: 'pki'; base: string } | { kind: 'kubeconfig'; file: string };
  readonly caName: string;
  readonly caBase: string;
}

/** A certificate authority the managed certificates hang off. */
export interface ManagedCa {
  readonly name: string;
  readonly base: string;
}

const pki = (name: string, longName: string, base: string, caName: string, caBase: string): ManagedCert => ({ name, longName, where: { kind: 'pki', base }, caName, caBase });
const conf = (file: string, longName: string): ManagedCert => ({ name: file, longName, where: { kind: 'kubeconfig', file }, caName: 'ca', caBase: 'ca' });

/** Sorted by name, as Manager.Certificates() returns them. */
export const MANAGED_CERTS: readonly ManagedCert[] = [
  conf('admin.conf', 'certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself'),
  pki('apiserver', 'certificate for serving the Kubernetes API', 'apiserver', 'ca', 'ca'),
  pki('apiserver-etcd-client', 'certificate the apiserver uses to access etcd', 'apiserver-etcd-client', 'etcd-ca', 'etcd/ca'),
  pki('apiserver-kubelet-client', 'certificate for the API server to connect to kubelet', 'apiserver-kubelet-client', 'ca', 'ca'),
  conf('controller-manager.conf', 'certificate embedded in the kubeconfig file for the controller manager to use'),
  pki('etcd-healthcheck-client', 'certificate for liveness probes to healthcheck etcd', 'etcd/healthcheck-client', 'etcd-ca', 'etcd/ca'),
  pki('etcd-peer', 'certificate for etcd nodes to communicate with each other', 'etcd/peer', 'etcd-ca', 'etcd/ca'),
  pki('etcd-server', 'certificate for serving etcd', 'etcd/server', 'etcd-ca', 'etcd/ca'),
  pki('front-proxy-client', 'certificate for the front proxy client', 'front-proxy-client', 'front-proxy-ca', 'front-proxy-ca'),
  conf('scheduler.conf', 'certificate embedded in the kubeconfig file for the scheduler manager to use'),
  conf('super-admin.conf', 'certificate embedded in the kubeconfig file for the super-admin'),
];

/** Sorted by name, as Manager.CAs() returns them. */
export const MANAGED_CAS: readonly ManagedCa[] = [
  { name: 'ca', base: 'ca' },
  { name: 'etcd-ca', base: 'etcd/ca' },
  { name: 'front-proxy-ca', base: 'front-proxy-ca' },
];

/** Where to find things: the certificates dir and the kubeconfig dir, both host paths. */
export interface CertDirs {
  readonly pkiDir: string;
  readonly kubeconfigDir: string;
}

interface RawKubeconfig {
  users?: { name?: string; user?: Record<string, string> }[];
}

/** The kubeconfig's first user (kubeadm writes one), where its client certificate is embedded. */
export function kubeconfigUser(doc: RawKubeconfig): Record<string, string> | undefined {
  return doc.users?.[0]?.user;
}

/** The certificate's PEM, or undefined when its file (or embedded certificate) does not exist. */
export function readManagedCert(dirs: CertDirs, cert: ManagedCert): string | undefined {
  if (cert.where.kind === 'pki') {
    const file = path.join(dirs.pkiDir, `${cert.where.base}.crt`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  }
  const file = path.join(dirs.kubeconfigDir, cert.where.file);
  if (!fs.existsSync(file)) return undefined;
  const data = kubeconfigUser(YAML.parse(fs.readFileSync(file, 'utf8')) as RawKubeconfig)?.['client-certificate-data'];
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

/** The CA certificate's PEM, or undefined when missing. */
export function readCa(dirs: CertDirs, ca: { base: string }): string | undefined {
  const file = path.join(dirs.pkiDir, `${ca.base}.crt`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/**
 * kubeadm's external-CA rule (manager.go IsExternallyManaged; certs.UsingExternalCA): the
 * cluster CA or front-proxy CA is external when its certificate is there without its key;
 * the etcd CA never is.
 */
export function caExternallyManaged(dirs: CertDirs, caBase: string): boolean {
  if (caBase === 'etcd/ca') return false;
  return fs.existsSync(path.join(dirs.pkiDir, `${caBase}.crt`)) && !fs.existsSync(path.join(dirs.pkiDir, `${caBase}.key`));
}

/** NotAfter of a PEM certificate. */
export function notAfterOf(pem: string): Date {
  return new Date(new crypto.X509Certificate(pem).validTo);
}
