import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { CertSpec, KeyAlgorithm } from '../common/pki';
import { issueCert } from '../common/pki';
import { type CertDirs, caExternallyManaged, kubeconfigUser, type ManagedCert, MANAGED_CERTS, readManagedCert } from './certs-list';
import { KubeadmError } from './kubeadm-error';
import { loadCa } from './pki-phase';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * The certificate's config as kubeadm's renewal reads it back (k/k
 * phases/certs/renewal/manager.go certToConfig): CN, organizations, DNS and IP SANs and
 * extended key usages, nothing else.
 */
export function certSpecOf(pem: string, days: number): CertSpec {
  const cert = new crypto.X509Certificate(pem);
  const subject = cert.subject.split('\n');
  const commonName = subject.find((part) => part.startsWith('CN='))?.slice(3) ?? '';
  const organizations = subject.filter((part) => part.startsWith('O=')).map((part) => part.slice(2));
  const sans = (cert.subjectAltName ?? '').split(', ').filter(Boolean);
  const dnsNames = sans.filter((san) => san.startsWith('DNS:')).map((san) => san.slice(4));
  const ipAddresses = sans.filter((san) => san.startsWith('IP Address:')).map((san) => san.slice('IP Address:'.length));
  const ekus = cert.keyUsage ?? [];
  const usages = [...(ekus.includes(SERVER_AUTH) ? (['server'] as const) : []), ...(ekus.includes(CLIENT_AUTH) ? (['client'] as const) : [])];
  return { commonName, organizations, dnsNames, ipAddresses, usages, days };
}

function writeFile(file: string, content: string, mode: number): void {
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/**
 * Manager.RenewUsingLocalCA for one certificate: false when its CA is external (no key).
 * The new certificate keeps the old one's config, gets a fresh key
 * (renewal/filerenewer.go → pkiutil.NewCertAndKey) and `now + validity`; a kubeconfig keeps
 * everything but its embedded client certificate and key (renewal/readwriter.go
 * kubeConfigReadWriter.Write).
 */
export async function renewUsingLocalCa(dirs: CertDirs, cert: ManagedCert, algorithm: KeyAlgorithm, days: number, now: Date): Promise<boolean> {
  if (caExternallyManaged(dirs, cert.caBase)) return false;
  const current = readManagedCert(dirs, cert);
  if (current === undefined) throw new KubeadmError(`failed to read certificate ${cert.name}: not found`);
  const ca = await loadCa(dirs.pkiDir, cert.caBase);
  const renewed = await issueCert(ca, certSpecOf(current, days), algorithm, now);
  if (cert.where.kind === 'pki') {
    writeFile(path.join(dirs.pkiDir, `${cert.where.base}.key`), renewed.key.privateKeyPem, 0o600);
    writeFile(path.join(dirs.pkiDir, `${cert.where.base}.crt`), renewed.certPem, 0o644);
    return true;
  }
  const file = path.join(dirs.kubeconfigDir, cert.where.file);
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as Parameters<typeof kubeconfigUser>[0];
  const user = kubeconfigUser(doc);
  if (!user) throw new KubeadmError(`failed to read kubeconfig ${file}: no user`);
  user['client-certificate-data'] = Buffer.from(renewed.certPem).toString('base64');
  user['client-key-data'] = Buffer.from(renewed.key.privateKeyPem).toString('base64');
  writeFile(file, YAML.stringify(doc), 0o600);
  return true;
}

/** The handler of `kubeadm certs renew NAME`, or a kubeadm-like error naming the valid ones. */
export function managedCert(name: string): ManagedCert {
  const cert = MANAGED_CERTS.find((candidate) => candidate.name === name);
  if (!cert) throw new KubeadmError(`unknown command "${name}" for "kubeadm certs renew"\nRun 'kubeadm certs renew --help' for usage.`);
  return cert;
}

/**
 * k/k cmd/kubeadm/app/cmd/certs.go renewCert: "MISSING! <long name>" for a certificate that
 * is not there, "Detected external <ca>, <long name> can't be renewed", else "<long name> renewed".
 */
export async function renewCert(dirs: CertDirs, cert: ManagedCert, algorithm: KeyAlgorithm, days: number, now: Date, out: (line: string) => void): Promise<void> {
  if (readManagedCert(dirs, cert) === undefined) {
    out(`MISSING! ${cert.longName}`);
    return;
  }
  if (!(await renewUsingLocalCa(dirs, cert, algorithm, days, now))) {
    out(`Detected external ${cert.caBase}, ${cert.longName} can't be renewed`);
    return;
  }
  out(`${cert.longName} renewed`);
}
