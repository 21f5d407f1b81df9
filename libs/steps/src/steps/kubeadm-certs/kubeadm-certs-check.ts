import { noop } from '../../plan';
import type { Step } from '../../step';
import { type CertExpiry, earliest, formatResidual, readExpiration } from './expiration-info';
import { type KubeadmCertsCheckParams, kubeadmCertsCheckParams } from './params';

/** What kubeadm.certs-check read. */
export interface KubeadmCertsCheckFacts {
  certificates: CertExpiry[];
  authorities: CertExpiry[];
}

/** Outputs of kubeadm.certs-check: the expiry of every kubeadm certificate of this control plane. */
export interface KubeadmCertsCheckOutputs {
  certificates: CertExpiry[];
  authorities: CertExpiry[];
  /** The present certificate that expires first. */
  earliest: CertExpiry | undefined;
}

/**
 * Reads `kubeadm certs check-expiration -o json` on a control plane. Read-only: the plan is
 * always empty, its reason names the certificate that expires first; the outputs carry
 * every row for `kumi certs`.
 */
export const kubeadmCertsCheck: Step<KubeadmCertsCheckParams, KubeadmCertsCheckFacts, KubeadmCertsCheckOutputs> = {
  id: 'kubeadm.certs-check',
  title: 'Read the expiry of the kubeadm certificates (kubeadm certs check-expiration)',
  params: kubeadmCertsCheckParams,

  async check(host, params) {
    return readExpiration(host, params.kubeconfig);
  },

  plan(facts) {
    const first = earliest(facts.certificates);
    const missing = facts.certificates.filter((cert) => cert.missing).map((cert) => cert.name);
    return noop(
      `read-only: ${facts.certificates.length - missing.length} certificate(s)` +
        (first ? `, ${first.name} expires first (${first.expires}, ${formatResidual(first.residualSeconds)} left)` : '') +
        (missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''),
    );
  },

  async outputs(_host, _params, facts) {
    return { certificates: facts.certificates, authorities: facts.authorities, earliest: earliest(facts.certificates) };
  },
};
