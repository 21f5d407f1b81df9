import { randomBytes } from 'node:crypto';
import { generateBootstrapToken } from '@kumi/trust';
import type { SecretRegistry } from '../journal/secret-registry';

/** kubeadm deletes the uploaded certificates (the kubeadm-certs Secret) 2 h after upload. */
export const CERTIFICATE_KEY_LIFETIME_MS = 2 * 60 * 60 * 1000;

/** Runs one step on one host and resolves when it ended well; rejects with its failure. */
export type StepCall = (
  host: string,
  step: string,
  params: Record<string, unknown>,
  secrets: Record<string, string>,
) => Promise<Record<string, unknown>>;

export interface BrokerOptions {
  call: StepCall;
  secrets: SecretRegistry;
  /** Clock in ms; injectable so tests can move time. */
  now?: () => number;
  /** Re-upload the certificates when the last upload is older than lifetime − margin. */
  uploadMarginMs?: number;
  /** TTL of the per-join bootstrap token. */
  joinTokenTtl?: string;
}

/** Secrets a join needs, sent only to the joining host. */
export interface JoinSecrets {
  bootstrapToken: string;
  certificateKey?: string;
}

/**
 * Mints the cluster's join secrets itself (nothing is scraped from kubeadm's output),
 * creates them on a healthy control plane just before the join that needs them, renews
 * the uploaded certificates before they expire, deletes each join's token after it, and
 * keeps every secret in memory only.
 */
export class SecretBroker {
  readonly #call: StepCall;
  readonly #secrets: SecretRegistry;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #tokenTtl: string;
  #certificateKey: string | undefined;
  #uploadedAt: number | undefined;

  constructor(options: BrokerOptions) {
    this.#call = options.call;
    this.#secrets = options.secrets;
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.uploadMarginMs ?? 30 * 60 * 1000;
    this.#tokenTtl = options.joinTokenTtl ?? '15m';
  }

  /** 32 random bytes as 64 hex digits: kubeadm's AES-256 certificate key. */
  mintCertificateKey(): string {
    const key = randomBytes(32).toString('hex');
    this.#secrets.add(key);
    return key;
  }

  mintToken(): { id: string; token: string } {
    const token = generateBootstrapToken();
    this.#secrets.add(token.token);
    this.#secrets.add(token.secret);
    return { id: token.id, token: token.token };
  }

  /**
   * Secrets for `kubeadm init --upload-certs`: a bootstrap token and the certificate key
   * the certificates are uploaded under. Call `initDone()` after init succeeded.
   */
  forInit(): { bootstrapToken: string; certificateKey: string } {
    this.#certificateKey = this.mintCertificateKey();
    return { bootstrapToken: this.mintToken().token, certificateKey: this.#certificateKey };
  }

  initDone(): void {
    this.#uploadedAt = this.#now();
  }

  /** Whether the uploaded certificates are missing or too close to their 2 h expiry. */
  needsUpload(): boolean {
    return this.#uploadedAt === undefined || this.#now() - this.#uploadedAt > CERTIFICATE_KEY_LIFETIME_MS - this.#marginMs;
  }

  /**
   * Runs `join` with fresh secrets made on `healthyControlPlane`: a short-lived token
   * (deleted afterwards, whatever the outcome) and, for control planes, a certificate key
   * whose upload is fresh enough.
   */
  async withJoinSecrets<T>(
    role: 'control-plane' | 'worker',
    healthyControlPlane: string,
    join: (secrets: JoinSecrets) => Promise<T>,
  ): Promise<T> {
    let certificateKey: string | undefined;
    if (role === 'control-plane') {
      if (this.needsUpload() || !this.#certificateKey) {
        const fresh = this.mintCertificateKey();
        await this.#call(healthyControlPlane, 'kubeadm.upload-certs', {}, { certificateKey: fresh });
        if (this.#certificateKey) this.#secrets.forget(this.#certificateKey);
        this.#certificateKey = fresh;
        this.#uploadedAt = this.#now();
      }
      certificateKey = this.#certificateKey;
    }
    const token = this.mintToken();
    await this.#call(healthyControlPlane, 'kubeadm.token-create', { ttl: this.#tokenTtl }, { bootstrapToken: token.token });
    try {
      return await join(certificateKey ? { bootstrapToken: token.token, certificateKey } : { bootstrapToken: token.token });
    } finally {
      await this.#call(healthyControlPlane, 'kubeadm.token-delete', { tokenId: token.id }, {});
    }
  }
}
