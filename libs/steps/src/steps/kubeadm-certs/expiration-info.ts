import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';

/** One certificate or CA as `kubeadm certs check-expiration -o json` reports it. */
export interface CertExpiry {
  name: string;
  /** RFC 3339, or undefined for a missing certificate. */
  expires: string | undefined;
  /** Seconds left when kubeadm looked (negative once expired). */
  residualSeconds: number;
  /** The signing CA (certificates only). */
  ca: string | undefined;
  externallyManaged: boolean;
  missing: boolean;
}

/** What `check-expiration` says about one control plane. */
export interface ExpirationReport {
  certificates: CertExpiry[];
  authorities: CertExpiry[];
}

interface RawCert {
  name?: unknown;
  expirationDate?: unknown;
  residualTime?: unknown;
  caName?: unknown;
  externallyManaged?: unknown;
  missing?: unknown;
}

/** kubeadm's check-expiration, machine-readable (kubeadm ≥ 1.30, k/k PR 123372; every minor kumi supports). */
export function checkExpirationArgv(kubeconfig: string): string[] {
  return ['kubeadm', 'certs', 'check-expiration', '--kubeconfig', kubeconfig, '-o', 'json'];
}

function certOf(raw: RawCert): CertExpiry {
  if (typeof raw.name !== 'string') throw new Error('a certificate without a name');
  return {
    name: raw.name,
    expires: typeof raw.expirationDate === 'string' && raw.expirationDate !== '' ? raw.expirationDate : undefined,
    residualSeconds: typeof raw.residualTime === 'number' ? raw.residualTime : 0,
    ca: typeof raw.caName === 'string' && raw.caName !== '' ? raw.caName : undefined,
    externallyManaged: raw.externallyManaged === true,
    missing: raw.missing === true,
  };
}

/**
 * Parses output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo (k/k
 * cmd/kubeadm/app/apis/output/v1alpha3/types.go): `certificates` and
 * `certificateAuthorities`, each {name, expirationDate, residualTime (seconds), caName,
 * externallyManaged, missing}.
 */
export function parseExpirationInfo(text: string): ExpirationReport {
  const doc = JSON.parse(text) as { kind?: unknown; certificates?: RawCert[] | null; certificateAuthorities?: RawCert[] | null };
  if (doc.kind !== 'CertificateExpirationInfo') throw new Error(`expected kind CertificateExpirationInfo, got ${String(doc.kind)}`);
  return { certificates: (doc.certificates ?? []).map(certOf), authorities: (doc.certificateAuthorities ?? []).map(certOf) };
}

/** Runs check-expiration on the host and parses it; CHECK_FAILED with kubeadm's words and a fix otherwise. */
export async function readExpiration(host: HostReader, kubeconfig: string): Promise<ExpirationReport> {
  const argv = checkExpirationArgv(kubeconfig);
  const result = await host.probe(argv);
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${result.exitCode}`;
    throw new StepFailure('CHECK_FAILED', `${argv.join(' ')} failed on ${host.facts.hostName}: ${why}. Fix: run this step on a kubeadm control plane (kubeadm ≥ 1.30 on the PATH).`);
  }
  try {
    return parseExpirationInfo(result.stdout);
  } catch (error) {
    throw new StepFailure('CHECK_FAILED', `cannot read the output of ${argv.join(' ')} on ${host.facts.hostName}: ${(error as Error).message}`);
  }
}

/** The certificate with the least time left (present ones only), or undefined. */
export function earliest(certs: readonly CertExpiry[]): CertExpiry | undefined {
  return certs.filter((cert) => !cert.missing).reduce<CertExpiry | undefined>((best, cert) => (best === undefined || cert.residualSeconds < best.residualSeconds ? cert : best), undefined);
}

/** "364d", "5h", "expired": the residual time, shortly. */
export function formatResidual(seconds: number): string {
  if (seconds < 0) return 'expired';
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
