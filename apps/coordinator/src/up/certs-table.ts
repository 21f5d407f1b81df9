import { type CertExpiry, formatResidual } from '@kumi/steps';
import { type Paint, palette } from '../output/terminal';
import { textTable } from '../output/text-table';

/** What kubeadm.certs-check reported for one control plane. */
export interface HostCerts {
  host: string;
  certificates: CertExpiry[];
  authorities: CertExpiry[];
}

/** The certificate of the whole cluster that expires first. */
export interface EarliestCert {
  host: string;
  name: string;
  expires: string;
  residualSeconds: number;
}

/** Fewer days than this left and the earliest expiry is shown in red (kubeadm renews within 180 days at upgrades; a month is urgent). */
const URGENT_SECONDS = 30 * 86_400;

/** The present certificate with the least time left, over every host. */
export function earliestOf(hosts: readonly HostCerts[]): EarliestCert | undefined {
  let best: EarliestCert | undefined;
  for (const { host, certificates } of hosts) {
    for (const cert of certificates) {
      if (cert.missing || cert.expires === undefined) continue;
      if (best === undefined || cert.residualSeconds < best.residualSeconds) best = { host, name: cert.name, expires: cert.expires, residualSeconds: cert.residualSeconds };
    }
  }
  return best;
}

/**
 * `kumi certs` as one table: every control plane's kubeadm certificates (host, certificate,
 * expiry, time left, CA), the row that expires first marked and painted, then a line
 * naming it. CAs are listed apart: kubeadm does not renew them.
 */
export function certsTable(hosts: readonly HostCerts[], paint: Record<'bold' | 'red' | 'yellow', Paint> = palette()): string {
  const earliest = earliestOf(hosts);
  const rows: string[][] = [];
  for (const { host, certificates } of [...hosts].sort((a, b) => a.host.localeCompare(b.host))) {
    for (const cert of certificates) {
      const first = earliest !== undefined && earliest.host === host && earliest.name === cert.name;
      rows.push([host, cert.name, cert.missing ? 'MISSING' : (cert.expires ?? ''), cert.missing ? '' : formatResidual(cert.residualSeconds), cert.ca ?? '', first ? '<- earliest' : '']);
    }
  }
  const lines = textTable(['HOST', 'CERTIFICATE', 'EXPIRES', 'RESIDUAL', 'CA', ''], rows).split('\n');
  const marked = lines.map((line) => (line.endsWith('<- earliest') ? (earliest && earliest.residualSeconds < URGENT_SECONDS ? paint.red : paint.bold)(line) : line));
  const cas = hosts.flatMap(({ host, authorities }) => authorities.map((ca) => [host, ca.name, ca.missing ? 'MISSING' : (ca.expires ?? ''), ca.missing ? '' : formatResidual(ca.residualSeconds)]));
  const summary = earliest
    ? `earliest: ${earliest.name} on ${earliest.host} expires ${earliest.expires} (${formatResidual(earliest.residualSeconds)} left); renew with \`kumi certs renew SPEC\``
    : 'no certificate found';
  return `${marked.join('\n')}${cas.length > 0 ? `\n${textTable(['HOST', 'CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL'], cas)}` : ''}\n${paint.yellow(summary)}\n`;
}
