import { X509Certificate, createHash } from 'node:crypto';

/**
 * kubeadm's discovery hash of a CA certificate: "sha256:" and the hex SHA-256 of its DER
 * SubjectPublicKeyInfo. Works for RSA and ECDSA keys alike (unlike the `openssl rsa`
 * pipeline, which hashes empty input for an ECDSA CA).
 */
export function caCertHash(caCertPem: string): string {
  const spki = new X509Certificate(caCertPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** kubeadm's CA certificate on a control plane or joined node. */
export const KUBERNETES_CA_PATH = '/etc/kubernetes/pki/ca.crt';
