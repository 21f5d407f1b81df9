import { type CertDirs, caExternallyManaged, MANAGED_CAS, MANAGED_CERTS, notAfterOf, readCa, readManagedCert } from './certs-list';

/** One row of output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo (k/k cmd/kubeadm/app/apis/output/v1alpha3/types.go Certificate). */
export interface ExpirationRow {
  name: string;
  /** RFC 3339 UTC; null for a missing certificate (a zero metav1.Time). */
  expirationDate: string | null;
  residualTime: number;
  externallyManaged: boolean;
  caName?: string;
  missing: boolean;
}

/** output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo. */
export interface ExpirationInfo {
  kind: 'CertificateExpirationInfo';
  apiVersion: 'output.kubeadm.k8s.io/v1alpha3';
  certificates: ExpirationRow[];
  certificateAuthorities: ExpirationRow[];
}

const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function row(name: string, pem: string | undefined, externallyManaged: boolean, now: Date, caName?: string): ExpirationRow {
  if (pem === undefined) return { name, expirationDate: null, residualTime: 0, externallyManaged: false, missing: true };
  const notAfter = notAfterOf(pem);
  // ResidualTimeSeconds: int64(time.Until(NotAfter) / time.Second), truncated toward zero.
  const residualTime = Math.trunc((notAfter.getTime() - now.getTime()) / 1000);
  return { name, expirationDate: rfc3339(notAfter), residualTime, externallyManaged, ...(caName ? { caName } : {}), missing: false };
}

/** k/k cmd/kubeadm/app/cmd/certs.go fetchCertificateExpirationInfo, at the lab's `now`. */
export function expirationInfo(dirs: CertDirs, now: Date): ExpirationInfo {
  return {
    kind: 'CertificateExpirationInfo',
    apiVersion: 'output.kubeadm.k8s.io/v1alpha3',
    certificates: MANAGED_CERTS.map((cert) => row(cert.name, readManagedCert(dirs, cert), caExternallyManaged(dirs, cert.caBase), now, cert.caName)),
    certificateAuthorities: MANAGED_CAS.map((ca) => row(ca.name, readCa(dirs, ca), caExternallyManaged(dirs, ca.base), now)),
  };
}

/** k8s.io/apimachinery/pkg/util/duration ShortHumanDuration. */
export function shortHumanDuration(seconds: number): string {
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(seconds / 3600);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Go's `Jan 02, 2006 15:04 MST` for a UTC time. */
export function goExpiryDate(iso: string): string {
  const d = new Date(iso);
  return `${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())}, ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

/**
 * Go's text/tabwriter with kubeadm's settings (minwidth 10, tabwidth 4, padding 3, padchar
 * ' ', flags 0): tab-terminated cells are padded to their column's widest cell + 3 (at
 * least 10); a line's last cell is not part of a column; an empty line ends a column block.
 */
export function tabwrite(lines: readonly string[]): string {
  const out: string[] = [];
  let block: string[][] = [];
  const flush = () => {
    const widths: number[] = [];
    for (const cells of block) cells.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    for (const cells of block) out.push(cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(Math.max(10, (widths[i] ?? 0) + 3)) : cell)).join(''));
    block = [];
  };
  for (const line of lines) {
    if (line === '') {
      flush();
      out.push('');
    } else block.push(line.split('\t'));
  }
  flush();
  return `${out.join('\n')}\n`;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** k/k certs.go certTextPrinter.PrintObj: the two tables. */
export function expirationText(info: ExpirationInfo): string {
  const lines = ['CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED'];
  for (const cert of info.certificates) {
    if (cert.missing) lines.push(`!MISSING! ${cert.name}\t\t\t\t`);
    else lines.push(`${cert.name}\t${goExpiryDate(cert.expirationDate ?? '')}\t${shortHumanDuration(cert.residualTime)}\t${cert.caName ?? ''}\t${yesNo(cert.externallyManaged).padEnd(8)}`);
  }
  lines.push('', 'CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED');
  for (const ca of info.certificateAuthorities) {
    if (ca.missing) lines.push(`!MISSING! ${ca.name}\t\t\t`);
    else lines.push(`${ca.name}\t${goExpiryDate(ca.expirationDate ?? '')}\t${shortHumanDuration(ca.residualTime)}\t${yesNo(ca.externallyManaged).padEnd(8)}`);
  }
  return tabwrite(lines);
}

/**
 * k8s.io/cli-runtime JSONPrinter as kubeadm's output flags use it: json.MarshalIndent with
 * four spaces, a newline after; kind and apiVersion first (TypeMeta), omitempty caName.
 */
export function expirationJson(info: ExpirationInfo): string {
  return `${JSON.stringify(info, null, 4)}\n`;
}
