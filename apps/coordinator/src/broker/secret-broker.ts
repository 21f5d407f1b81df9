import { randomBytes } from 'node:crypto';
import { generateBootstrapToken } from '@kumi/trust';
import { parseDuration } from '../cli/duration';
import type { SecretRegistry } from '../journal/secret-registry';

/** kubeadm deletes the uploaded certificates (the kubeadm-certs Secret) 2 h after upload. */
export const CERTIFICATE_KEY_LIFETIME_MS = 2 * 60 * 60 * 1000;

/**
 * Runs one step on one host and resolves with its outputs when it ended DONE or NOOP;
 * rejects with its failure. Secrets go only into the request's secrets field.
 */
export type StepCall = (
  host: string,
  step: string,
  params: Record<string, unknown>,
  secrets: Record<string, string>,
) => Promise<Record<string, unknown>>;

/**
 * Asks a step on a host, as a dry run, whether it would change anything: resolves true
 * when it answers NOOP. The broker asks kubeadm.upload-certs whether the certificates
 * under the current key are still fresh by the cluster's own clock.
 */
export type StepStillCurrent = (host: string, step: string, params: Record<string, unknown>, secrets: Record<string, string>) => Promise<boolean>;

export interface BrokerOptions {
  call: StepCall;
  /** When given, a fresh-looking upload is also confirmed on the cluster before a join relies on it. */
  stillCurrent?: StepStillCurrent;
  secrets: SecretRegistry;
  /** Clock in ms; injectable so tests can move time. */
  now?: () => number;
}

/** Secrets a join needs, sent only to the joining host. */
export interface JoinSecrets {
  bootstrapToken: string;
  certificateKey?: string;
}

/** What one join asks of the broker. Params are the steps' own (schema-checked by the plan). */
export interface JoinRequest {
  role: 'control-plane' | 'worker';
  /** The control plane the token is created on (and the certificates uploaded from). */
  healthyControlPlane: string;
  /** Params of kubeadm.token-create (kubernetesVersion, ttl, description). */
  tokenCreateParams: Record<string, unknown>;
  /**
   * Params of kubeadm.upload-certs (kubernetesVersion, renewBefore); control planes only.
   * renewBefore (filled by the step's schema default) is also the broker's renewal margin.
   */
  uploadCertsParams?: Record<string, unknown>;
  /**
   * Called with the join token's public id after it is minted and before it is created on
   * `healthyControlPlane`, so it can be journaled first: a create that fails or is cut off
   * after kubeadm made the token still leaves a record a later run revokes.
   */
  onTokenMinted?(tokenId: string): void;
}

/** A join's secrets while the join runs; hand it back to `closeJoin` afterwards. */
export interface JoinLease {
  secrets: JoinSecrets;
  /** Public id of the join's token (the half that may be logged). */
  tokenId: string;
  /** Where the token was created, so it is deleted there. */
  createdOn: string;
}

/**
 * Mints the cluster's join secrets itself (nothing is scraped from kubeadm's output),
 * creates them on a healthy control plane just before the join that needs them, renews
 * the uploaded certificates before they expire, deletes each join's token after it, and
 * keeps every secret in memory only (registered with the SecretRegistry so nothing that
 * is written can hold one).
 */
export class SecretBroker {
  readonly #call: StepCall;
  readonly #stillCurrent: StepStillCurrent | undefined;
  readonly #secrets: SecretRegistry;
  readonly #now: () => number;
  #certificateKey: string | undefined;
  #uploadedAt: number | undefined;

  constructor(options: BrokerOptions) {
    this.#call = options.call;
    this.#stillCurrent = options.stillCurrent;
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

  /**
   * Deletes init's bootstrap token once init ran: every join gets its own token, so it
   * would only linger as a credential. (The uploaded certificates belong to a separate
   * token kubeadm makes for them, so they stay.)
   */
  async revokeInitToken(host: string, tokenId: string): Promise<void> {
    await this.#call(host, 'kubeadm.token-delete', { tokenId }, {});
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
   * Makes a join's secrets on its healthy control plane: for a control plane, re-uploads
   * the certificates under a fresh key when needed; then creates a fresh token. If the
   * token cannot be created nothing is left behind to revoke.
   */
  async openJoin(request: JoinRequest): Promise<JoinLease> {
    let certificateKey: string | undefined;
    if (request.role === 'control-plane') {
      // The step's own renewBefore is the margin: both sides agree on "fresh".
      const renewBefore = request.uploadCertsParams?.renewBefore;
      if (typeof renewBefore !== 'string') throw new Error(`a control-plane join needs kubeadm.upload-certs params with renewBefore (e.g. "30m"); the plan gave ${JSON.stringify(request.uploadCertsParams ?? null)}`);
      let upload = this.needsUpload(parseDuration(renewBefore, 'kubeadm.upload-certs renewBefore'));
      if (!upload && this.#stillCurrent && this.#certificateKey) {
        // Our clock says fresh; the cluster's (where the certificates expire) must agree.
        const params = request.uploadCertsParams ?? {};
        upload = !(await this.#stillCurrent(request.healthyControlPlane, 'kubeadm.upload-certs', params, { certificateKey: this.#certificateKey }));
      }
      if (upload) {
        const fresh = this.mintCertificateKey();
        await this.#call(request.healthyControlPlane, 'kubeadm.upload-certs', request.uploadCertsParams ?? {}, { certificateKey: fresh });
        this.#certificateKey = fresh;
        this.#uploadedAt = this.#now();
      }
      certificateKey = this.#certificateKey;
    }
    const token = this.mintToken();
    request.onTokenMinted?.(token.id);
    await this.#call(request.healthyControlPlane, 'kubeadm.token-create', request.tokenCreateParams, { bootstrapToken: token.token });
    return {
      secrets: certificateKey ? { bootstrapToken: token.token, certificateKey } : { bootstrapToken: token.token },
      tokenId: token.id,
      createdOn: request.healthyControlPlane,
    };
  }

  /** Revokes the join's token on the control plane it was created on. */
  async closeJoin(lease: JoinLease): Promise<void> {
    await this.#call(lease.createdOn, 'kubeadm.token-delete', { tokenId: lease.tokenId }, {});
  }

  /** Runs `join` between openJoin and closeJoin; the token is deleted whatever the outcome. */
  async withJoinSecrets<T>(request: JoinRequest, join: (secrets: JoinSecrets) => Promise<T>): Promise<T> {
    const lease = await this.openJoin(request);
    try {
      return await join(lease.secrets);
    } finally {
      await this.closeJoin(lease);
    }
  }
}
