import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { inHost } from '../in-host';
import { decryptBytes } from '@kumi/lab-standins/kubeadm/certs-crypto';
import { ADMIN } from './cluster-facts';

/**
 * The secrets a `kumi up` minted, collected from the cluster while they exist: every
 * bootstrap token (id.secret) and every version of the kubeadm-certs Secret (encrypted with
 * the certificate key, which the cluster never stores: a candidate key is proven by
 * decrypting it).
 */
export class MintedSecrets {
  readonly tokens = new Set<string>();
  readonly encryptedCerts = new Map<string, Buffer>();

  /** Reads the bootstrap tokens and kubeadm-certs from a control plane (kubectl + admin.conf); quiet when the API is away. */
  async collect(host: string): Promise<void> {
    const result = await inHost(host, ['kubectl', ...ADMIN, 'get', 'secrets', '-n', 'kube-system', '-o', 'json'], { timeoutMs: 15_000 });
    if (result.exitCode !== 0) return;
    type Item = { metadata?: { name?: string; uid?: string }; data?: Record<string, string> };
    for (const item of (JSON.parse(String(result.stdout)) as { items?: Item[] }).items ?? []) {
      const name = item.metadata?.name ?? '';
      const data = item.data ?? {};
      const text = (key: string) => (data[key] ? Buffer.from(data[key], 'base64').toString('utf8') : '');
      if (name.startsWith('bootstrap-token-') && text('token-id') && text('token-secret')) this.tokens.add(`${text('token-id')}.${text('token-secret')}`);
      if (name === 'kubeadm-certs') {
        // Keyed by content: a re-upload with a fresh key is another entry.
        const value = Object.values(data)[0];
        if (value) this.encryptedCerts.set(value, Buffer.from(value, 'base64'));
      }
    }
  }

  /** Whether a 64-hex string is a certificate key of an upload seen (it decrypts a kubeadm-certs entry). */
  isCertificateKey(candidate: string): boolean {
    const key = Buffer.from(candidate, 'hex');
    for (const encrypted of this.encryptedCerts.values()) {
      try {
        decryptBytes(encrypted, key);
        return true;
      } catch {
        // not this upload's key
      }
    }
    return false;
  }
}

/** One place a secret was found. */
export interface Leak {
  where: string;
  what: string;
}

/** Every regular file under a folder (symlinks not followed). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/**
 * Looks for the minted secrets in texts (name → content): each bootstrap token whole, its
 * secret half alone, and any 64-hex string that decrypts a kubeadm-certs upload.
 */
export function scanForSecrets(secrets: MintedSecrets, texts: Iterable<[string, string]>): Leak[] {
  const leaks: Leak[] = [];
  for (const [where, text] of texts) {
    for (const token of secrets.tokens) {
      const secretHalf = token.split('.')[1] ?? token;
      if (text.includes(secretHalf)) leaks.push({ where, what: `bootstrap token ${token.split('.')[0]}.***` });
    }
    for (const match of new Set(text.match(/\b[0-9a-f]{64}\b/gi) ?? [])) {
      if (secrets.isCertificateKey(match)) leaks.push({ where, what: 'the certificate key' });
    }
  }
  return leaks;
}

/** Texts of files, as [path, content] pairs (binary files are read as latin1, which keeps ASCII secrets findable). */
export function fileTexts(files: readonly string[]): Array<[string, string]> {
  return files.filter((file) => statSync(file).size < 64 * 1024 * 1024).map((file) => [file, readFileSync(file, 'latin1')]);
}
