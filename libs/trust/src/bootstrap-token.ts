import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_FORMAT = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** A bootstrap token in kubeadm's form: id.secret, `[a-z0-9]{6}.[a-z0-9]{16}`. */
export interface BootstrapToken {
  id: string;
  secret: string;
  token: string;
}

export class TokenFormatError extends Error {
  constructor() {
    super('malformed bootstrap token: expected "<6 chars>.<16 chars>" of a-z and 0-9, as printed by `kumi token create`');
    this.name = 'TokenFormatError';
  }
}

function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export function generateBootstrapToken(): BootstrapToken {
  const id = randomString(6);
  const secret = randomString(16);
  return { id, secret, token: `${id}.${secret}` };
}

/** Splits a token into id and secret; the error never repeats the input. */
export function parseBootstrapToken(text: string): { id: string; secret: string } {
  const match = TOKEN_FORMAT.exec(text.trim());
  if (!match?.[1] || !match[2]) throw new TokenFormatError();
  return { id: match[1], secret: match[2] };
}

/** What the token store keeps instead of the secret. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function tokenSecretMatches(secret: string, hashHex: string): boolean {
  const actual = Buffer.from(hashTokenSecret(secret), 'hex');
  const expected = Buffer.from(hashHex, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
