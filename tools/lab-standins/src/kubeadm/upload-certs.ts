import fs from 'node:fs';
import path from 'node:path';
import type { KubeApi } from '../common/kube-api';
import { KubeApiError } from '../common/kube-api';
import { resourceByRest } from '../common/resources';
import { decodeCertificateKey, decryptBytes, encryptBytes } from './certs-crypto';
import { CERT_KEY_TTL_MS } from './config';
import { wrap } from './kubeadm-error';
import { SHARED_CERT_FILES } from './pki-phase';
import { createToken } from './tokens';

const SECRETS = resourceByRest('', 'secrets');
const secretKey = (file: string): string => file.replace(/\//g, '-');

/**
 * `[upload-certs]`: encrypts the shared CAs and keys with the certificate key into the
 * kube-system/kubeadm-certs Secret, owned by a fresh 2-hour bootstrap token so that it is
 * garbage-collected when that token expires.
 */
export async function uploadCerts(api: KubeApi, pki: string, certificateKey: string, now: Date, log: (line: string) => void): Promise<void> {
  log('[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace');
  const key = decodeCertificateKey(certificateKey);
  const ownerToken = await createToken(api, { ttlMs: CERT_KEY_TTL_MS, usages: [], groups: [], description: 'Proxy for managing TTL for the kubeadm-certs secret' }, now);
  const owner = await api.get(SECRETS, 'kube-system', `bootstrap-token-${ownerToken.split('.')[0] ?? ''}`);
  const data: Record<string, string> = {};
  for (const file of SHARED_CERT_FILES) {
    const content = fs.readFileSync(path.join(pki, file));
    data[secretKey(file)] = encryptBytes(content, key).toString('base64');
  }
  await api.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: 'kubeadm-certs',
      namespace: 'kube-system',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: owner.metadata?.name, uid: owner.metadata?.uid, controller: true }],
    },
    data,
  });
}

/** `[download-certs]`: fetches and decrypts kubeadm-certs into the certificate folder, with kubeadm's errors. */
export async function downloadCerts(api: KubeApi, pki: string, certificateKey: string, log: (line: string) => void): Promise<void> {
  log('[download-certs] Downloading the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace');
  let key: Buffer;
  try {
    key = decodeCertificateKey(certificateKey);
  } catch (err) {
    throw wrap('error downloading certs', err);
  }
  let secret;
  try {
    secret = await api.get(SECRETS, 'kube-system', 'kubeadm-certs');
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) {
      throw new Error('error downloading certs: error downloading the secret: Secret "kubeadm-certs" was not found in the "kube-system" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one');
    }
    throw wrap('error downloading certs: error downloading the secret', err);
  }
  const data = (secret.data ?? {}) as Record<string, string>;
  const plain = new Map<string, Buffer>();
  for (const file of SHARED_CERT_FILES) {
    const encrypted = data[secretKey(file)];
    if (encrypted === undefined) throw new Error(`error downloading certs: the Secret does not include the required certificate or key - name: ${file}, path: ${path.join(pki, file)}`);
    try {
      plain.set(file, decryptBytes(Buffer.from(encrypted, 'base64'), key));
    } catch (err) {
      throw wrap('error downloading certs: error decoding secret data with provided key', err);
    }
  }
  for (const [file, content] of plain) {
    const target = path.join(pki, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const mode = file.endsWith('.key') ? 0o600 : 0o644;
    fs.writeFileSync(target, content, { mode });
    fs.chmodSync(target, mode);
  }
}
