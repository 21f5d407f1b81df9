import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../journal/secret-registry';
import { CERTIFICATE_KEY_LIFETIME_MS, SecretBroker } from './secret-broker';

const MARGIN = 30 * 60 * 1000;

function broker() {
  let clock = 1_000_000;
  const secrets = new SecretRegistry();
  const b = new SecretBroker({ secrets, now: () => clock });
  return { b, secrets, advance: (ms: number) => (clock += ms) };
}

describe('SecretBroker', () => {
  it('mints kubeadm-shaped secrets and remembers them for redaction', () => {
    const { b, secrets } = broker();
    const { bootstrapToken, certificateKey } = b.forInit();
    expect(bootstrapToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(certificateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.redact(`${bootstrapToken} ${certificateKey}`)).toBe('*** ***');
    const token = b.mintToken();
    expect(token.token.startsWith(`${token.id}.`)).toBe(true);
    expect(secrets.redact(token.token)).toBe('***');
  });

  it("keeps init's key for the uploads while its own clock says it is fresh, and mints a new one near kubeadm's 2 h", () => {
    const { b, advance } = broker();
    const init = b.forInit();
    // init did not run (NOOP): the key uploaded nothing, a join needs a fresh one.
    expect(b.certificateKeyForUpload(MARGIN)).not.toBe(init.certificateKey);
    b.initDone();
    expect(b.certificateKeyForUpload(MARGIN)).toBe(init.certificateKey);
    advance(CERTIFICATE_KEY_LIFETIME_MS - MARGIN + 1);
    const fresh = b.certificateKeyForUpload(MARGIN);
    expect(fresh).not.toBe(init.certificateKey);
    // Until the upload ran, the current key stays the old one; then the fresh one is current.
    expect(b.currentCertificateKey()).toBe(init.certificateKey);
    b.uploaded(fresh);
    expect(b.currentCertificateKey()).toBe(fresh);
    expect(b.certificateKeyForUpload(MARGIN)).toBe(fresh);
  });

  it('knows no key in a new process: the first upload gets a fresh one', () => {
    const { b } = broker();
    expect(b.currentCertificateKey()).toBeUndefined();
    expect(b.certificateKeyForUpload(MARGIN)).toMatch(/^[0-9a-f]{64}$/);
  });
});
