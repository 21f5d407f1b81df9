import { createDecipheriv } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Decrypts one entry of the kubeadm-certs Secret the way kubeadm encrypts it: AES-256-GCM
 * with the certificate key, the nonce prepended and the tag appended. Undefined when the
 * key does not open it.
 */
export function decryptKubeadmCert(sealed: Buffer, certificateKeyHex: string): Buffer | undefined {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(certificateKeyHex, 'hex'), sealed.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Parses a Go duration made of h/m/s parts ("1h30m") into milliseconds. */
export function durationMs(duration: string): number {
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)([hms])/g)) {
    total += Number(amount) * ({ h: 3_600_000, m: 60_000, s: 1_000 } as Record<string, number>)[unit ?? 's']!;
  }
  return total;
}
