import { randomBytes } from 'node:crypto';
import { generateBootstrapToken } from '@kumi/trust';
import type { SecretRegistry } from '../journal/secret-registry';

/** kubeadm deletes the uploaded certificates (the kubeadm-certs Secret) 2 h after upload. */
export const CERTIFICATE_KEY_LIFETIME_MS = 2 * 60 * 60 * 1000;

export interface BrokerOptions {
  secrets: SecretRegistry;
  /** Clock in ms; injectable so tests can move time. */
  now?: () => number;
}

/**
 * Mints the cluster's secrets itself (nothing is scraped from kubeadm's output) and keeps
 * them in memory only (registered with the SecretRegistry so nothing that is written can
 * hold one). The plan's entries install and delete them (kubeadm.init, upload-certs,
 * token-create, token-delete); the broker decides when the certificates need a fresh key.
 */
export class SecretBroker {
  readonly #secrets: SecretRegistry;
  readonly #now: () => number;
  #certificateKey: string | undefined;
  #uploadedAt: number | undefined;

  constructor(options: BrokerOptions) {
    this.#secrets = options.secrets;
    this.#now = options.now ?? Date.now;
  }

  /** 32 random bytes as 64 hex digits: kubeadm's AES-256 certificate key. */
  mintCertificateKey(): string {
    const key = randomBytes(32).toString('hex');
    this.#secrets.add(key);
    return key;
  }

  /** A bootstrap token "id.secret" in kubeadm's format; its secret half is registered. */
  mintToken(): { id: string; token: string } {
    const token = generateBootstrapToken();
    this.#secrets.add(token.token);
    this.#secrets.add(token.secret);
    return { id: token.id, token: token.token };
  }

  /**
   * Secrets for `kubeadm init --upload-certs`: a bootstrap token and the certificate key
   * the certificates are uploaded under. Call `initDone()` only when init really ran
   * (DONE): a NOOP init uploaded nothing with this key.
   */
  forInit(): { bootstrapToken: string; certificateKey: string; tokenId: string } {
    this.#certificateKey = this.mintCertificateKey();
    this.#uploadedAt = undefined;
    const token = this.mintToken();
    return { bootstrapToken: token.token, certificateKey: this.#certificateKey, tokenId: token.id };
  }

  /** kubeadm init uploaded the certificates with the key of `forInit()` just now. */
  initDone(): void {
    if (this.#certificateKey !== undefined) this.#uploadedAt = this.#now();
  }

  /**
   * Whether the uploaded certificates are unknown to this process or too close to their
   * 2 h expiry: older than the lifetime minus marginMs.
   */
  needsUpload(marginMs: number): boolean {
    return this.#certificateKey === undefined || this.#uploadedAt === undefined || this.#now() - this.#uploadedAt > CERTIFICATE_KEY_LIFETIME_MS - marginMs;
  }

  /**
   * The key a kubeadm.upload-certs entry runs with: a fresh one when this process knows no
   * upload or its own clock says the upload is within marginMs of kubeadm's 2 h; else the
   * current one, and the step itself asks the cluster (whose clock the expiry follows): it
   * ends NOOP while the certificates under that key are fresh there, and re-uploads under
   * it otherwise. Call `uploaded(key)` when the step ran (DONE).
   */
  certificateKeyForUpload(marginMs: number): string {
    if (!this.needsUpload(marginMs) && this.#certificateKey !== undefined) return this.#certificateKey;
    return this.mintCertificateKey();
  }

  /** The certificates were uploaded under `key` just now. */
  uploaded(key: string): void {
    this.#certificateKey = key;
    this.#uploadedAt = this.#now();
  }

  /** The key of the last upload this process made or saw confirmed, if any. */
  currentCertificateKey(): string | undefined {
    return this.#certificateKey;
  }
}
