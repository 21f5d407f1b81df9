import { createPublicKey } from 'node:crypto';

/** Why a key is refused, or undefined when the key policy accepts it. */
export type KeyPolicyVerdict = { ok: true; description: string } | { ok: false; reason: string };

/** The policy in words, for error messages and the .proto. */
export const KEY_POLICY_TEXT = 'ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048 bits';

const ACCEPTED_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384' };
const MIN_RSA_BITS = 2048;

/**
 * Checks a public key (SubjectPublicKeyInfo, DER) against kumi's key policy: ECDSA
 * P-256/P-384, Ed25519, RSA >= 2048 bits. The agent itself makes P-256 keys.
 */
export function checkKeyPolicy(spkiDer: Uint8Array): KeyPolicyVerdict {
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch {
    return { ok: false, reason: `its public key cannot be read (kumi accepts ${KEY_POLICY_TEXT})` };
  }
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'ec') {
    const curve = ACCEPTED_CURVES[details.namedCurve ?? ''];
    if (curve) return { ok: true, description: `ECDSA ${curve}` };
    return { ok: false, reason: `its key is on curve ${details.namedCurve ?? '(unknown)'}, which kumi does not accept (kumi accepts ${KEY_POLICY_TEXT})` };
  }
  if (type === 'ed25519') return { ok: true, description: 'Ed25519' };
  // RSASSA-PSS keys (type rsa-pss) are not signed: CSR verification knows RSA PKCS#1 v1.5 signatures only.
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits >= MIN_RSA_BITS) return { ok: true, description: `RSA ${bits}` };
    return { ok: false, reason: `its RSA key has ${bits} bits, fewer than the ${MIN_RSA_BITS} kumi requires (kumi accepts ${KEY_POLICY_TEXT})` };
  }
  return { ok: false, reason: `its key type ${type ?? '(unknown)'} is not accepted (kumi accepts ${KEY_POLICY_TEXT})` };
}
