import type { SecretRegistry } from '../journal/secret-registry';

/**
 * Shapes of the secrets kumi handles, for a last scan of anything it publishes (the
 * report, the live page), as shared/reference/kubeadm-ha.md gives them: a bootstrap token
 * "id.secret" ([a-z0-9]{6}.[a-z0-9]{16}), a certificate key (64 hex digits, a 32-byte AES
 * key; a public "sha256:<hex>" CA hash is not one), and a PEM private key.
 */
export const SECRET_SHAPES: readonly RegExp[] = [
  /(?<![a-z0-9])[a-z0-9]{6}\.[a-z0-9]{16}(?![a-z0-9])/g,
  /(?<![0-9a-fA-F:])[0-9a-f]{64}(?![0-9a-fA-F])/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** Every secret-shaped string in text (empty when there is none). */
export function findSecretShapes(text: string): string[] {
  return SECRET_SHAPES.flatMap((shape) => text.match(new RegExp(shape.source, shape.flags)) ?? []);
}

/** Text with every known secret value (when a registry is given) and every secret shape replaced by `***`. */
export function withoutSecrets(text: string, secrets?: SecretRegistry): string {
  let out = secrets ? secrets.redact(text) : text;
  for (const shape of SECRET_SHAPES) out = out.replace(new RegExp(shape.source, shape.flags), '***');
  return out;
}
