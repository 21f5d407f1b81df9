import crypto from 'node:crypto';

/** A bootstrap token "abcdef.0123456789abcdef", split. */
export interface BootstrapTokenParts {
  readonly id: string;
  readonly secret: string;
}

/** kubeadm's bootstrap token pattern. */
export const BOOTSTRAP_TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** Splits and validates a token string; the error never contains the secret part. */
export function parseBootstrapToken(token: string): BootstrapTokenParts {
  const match = BOOTSTRAP_TOKEN_RE.exec(token);
  if (!match?.[1] || !match[2]) throw new Error('the bootstrap token does not match the pattern "[a-z0-9]{6}.[a-z0-9]{16}"');
  return { id: match[1], secret: match[2] };
}

/** Generates a random bootstrap token (as kubeadm's GenerateBootstrapToken). */
export function generateBootstrapToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (n: number): string => Array.from(crypto.randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
  return `${pick(6)}.${pick(16)}`;
}

/** The Secret name holding a bootstrap token. */
export const bootstrapTokenSecretName = (id: string): string => `bootstrap-token-${id}`;

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** The detached JWS (HS256, kid = token id) that signs cluster-info's kubeconfig for one token. */
export function detachedJws(content: string, token: BootstrapTokenParts): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: token.id }));
  const payload = b64url(content);
  const signature = b64url(crypto.createHmac('sha256', token.secret).update(`${header}.${payload}`).digest());
  return `${header}..${signature}`;
}

/** Checks a detached JWS against the content and token, in constant time. */
export function detachedJwsIsValid(jws: string, content: string, token: BootstrapTokenParts): boolean {
  const expected = Buffer.from(detachedJws(content, token));
  const actual = Buffer.from(jws);
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}
