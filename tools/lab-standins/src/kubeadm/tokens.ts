import { bootstrapTokenSecretName, generateBootstrapToken, parseBootstrapToken } from '../common/bootstrap-token';
import type { KubeApi } from '../common/kube-api';
import { rfc3339, type KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import type { BootstrapTokenSpec } from './config';

const SECRETS = resourceByRest('', 'secrets');
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

/** The bootstrap-token Secret kubeadm writes for a token (kube-system/bootstrap-token-<id>). */
export function tokenSecret(token: string, spec: BootstrapTokenSpec, now: Date): KubeObject {
  const { id, secret } = parseBootstrapToken(token);
  const data: Record<string, string> = { 'token-id': b64(id), 'token-secret': b64(secret) };
  if (spec.description) data.description = b64(spec.description);
  const expiration = spec.expires ?? (spec.ttlMs > 0 ? rfc3339(new Date(now.getTime() + spec.ttlMs)) : undefined);
  if (expiration) data.expiration = b64(expiration);
  for (const usage of spec.usages) data[`usage-bootstrap-${usage}`] = b64('true');
  if (spec.groups.length > 0) data['auth-extra-groups'] = b64(spec.groups.join(','));
  return { apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: bootstrapTokenSecretName(id), namespace: 'kube-system' }, data };
}

/** Creates (or updates) a bootstrap token; returns the token string. */
export async function createToken(api: KubeApi, spec: BootstrapTokenSpec, now: Date): Promise<string> {
  const token = spec.token ?? generateBootstrapToken();
  await api.apply(tokenSecret(token, spec, now));
  return token;
}

/** Deletes a token given as "id" or "id.secret"; false when it did not exist. */
export async function deleteToken(api: KubeApi, idOrToken: string): Promise<boolean> {
  const id = idOrToken.includes('.') ? parseBootstrapToken(idOrToken).id : idOrToken;
  if (!/^[a-z0-9]{6}$/.test(id)) throw new Error(`given token didn't match pattern "^([a-z0-9]{6})$" or "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
  return api.delete(SECRETS, 'kube-system', bootstrapTokenSecretName(id));
}

/** One row of `kubeadm token list`. */
export interface TokenRow {
  token: string;
  expires?: Date;
  usages: string[];
  description: string;
  groups: string[];
}

/** Reads every live bootstrap token (the API server has already dropped expired ones). */
export async function listTokens(api: KubeApi): Promise<TokenRow[]> {
  const rows: TokenRow[] = [];
  for (const secret of await api.list(SECRETS, 'kube-system')) {
    if (secret.type !== 'bootstrap.kubernetes.io/token') continue;
    const data = (secret.data ?? {}) as Record<string, string>;
    const expiration = data.expiration ? unb64(data.expiration) : undefined;
    rows.push({
      token: `${unb64(data['token-id'])}.${unb64(data['token-secret'])}`,
      expires: expiration ? new Date(expiration) : undefined,
      usages: Object.keys(data).filter((k) => k.startsWith('usage-bootstrap-') && unb64(data[k]) === 'true').map((k) => k.slice('usage-bootstrap-'.length)).sort(),
      description: data.description ? unb64(data.description) : '',
      groups: data['auth-extra-groups'] ? unb64(data['auth-extra-groups']).split(',') : [],
    });
  }
  return rows;
}
