import { describe, expect, it } from 'vitest';
import { TokenFormatError, generateBootstrapToken, hashTokenSecret, parseBootstrapToken, tokenSecretMatches } from './bootstrap-token';

describe('bootstrap tokens', () => {
  it('have kubeadm\'s form and are random', () => {
    const tokens = Array.from({ length: 50 }, () => generateBootstrapToken());
    for (const { id, secret, token } of tokens) {
      expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      expect(token).toBe(`${id}.${secret}`);
    }
    expect(new Set(tokens.map((t) => t.token)).size).toBe(50);
  });

  it('parse into id and secret, and refuse other forms without echoing them', () => {
    expect(parseBootstrapToken(' abcdef.0123456789abcdef\n')).toEqual({ id: 'abcdef', secret: '0123456789abcdef' });
    for (const bad of ['ABCDEF.0123456789abcdef', 'abcdef0123456789abcdef', 'abcde.0123456789abcdef', 'abcdef.0123456789abcde!']) {
      let error: unknown;
      try {
        parseBootstrapToken(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TokenFormatError);
      expect(String(error)).not.toContain(bad.slice(7));
    }
  });

  it('are checked against their stored hash only', () => {
    const { secret } = generateBootstrapToken();
    const stored = hashTokenSecret(secret);
    expect(stored).not.toContain(secret);
    expect(tokenSecretMatches(secret, stored)).toBe(true);
    // One character changed, never to itself (a fixed 'x' matched whenever the secret ended in x).
    const otherLast = secret.endsWith('x') ? 'y' : 'x';
    expect(tokenSecretMatches(`${secret.slice(0, 15)}${otherLast}`, stored)).toBe(false);
    expect(tokenSecretMatches(secret, 'nothex')).toBe(false);
  });
});
