import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { bootstrapTokenSecretName, BOOTSTRAP_TOKEN_RE } from '../common/bootstrap-token';
import { resourceByRest, type ResourceInfo } from '../common/resources';
import { secretString, isExpiredBootstrapToken } from './lifecycle';
import type { ObjectStore } from './store';
import { timingSafeEqual } from 'node:crypto';

/** Who is asking. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

const SECRETS = resourceByRest('', 'secrets');
const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Authenticates a request: a client certificate signed by the cluster CA (CN = user,
 * O = groups), else a bootstrap token (`Authorization: Bearer id.secret`), else anonymous.
 */
export async function authenticate(req: IncomingMessage, store: ObjectStore, now: Date): Promise<UserInfo | 'invalid'> {
  const socket = req.socket as TLSSocket;
  if (socket.authorized) {
    const peer = socket.getPeerCertificate();
    const cn = peer?.subject?.CN;
    if (cn) return { name: Array.isArray(cn) ? (cn[0] ?? '') : cn, groups: [...asList(peer.subject.O), 'system:authenticated'] };
  }
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const token = header.slice('Bearer '.length).trim();
    const match = BOOTSTRAP_TOKEN_RE.exec(token);
    if (!match?.[1] || !match[2]) return 'invalid';
    const secret = await store.find(SECRETS, 'kube-system', bootstrapTokenSecretName(match[1]));
    if (!secret || isExpiredBootstrapToken(secret, now)) return 'invalid';
    const stored = Buffer.from(secretString(secret, 'token-secret') ?? '');
    const given = Buffer.from(match[2]);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return 'invalid';
    if (secretString(secret, 'usage-bootstrap-authentication') !== 'true') return 'invalid';
    const extra = (secretString(secret, 'auth-extra-groups') ?? '').split(',').filter((g) => g !== '');
    return { name: `system:bootstrap:${match[1]}`, groups: ['system:bootstrappers', ...extra, 'system:authenticated'] };
  }
  return ANONYMOUS;
}

/** One request as the authorizer sees it. */
export interface Access {
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  readonly info: ResourceInfo;
  readonly namespace?: string;
  readonly name?: string;
}

function is(access: Access, resource: string, namespace?: string, name?: string): boolean {
  return access.info.resource === resource && (namespace === undefined || access.namespace === namespace) && (name === undefined || access.name === name);
}

/**
 * The RBAC kubeadm sets up, reduced to what the stand-ins exercise: cluster admins do
 * everything; anyone may read kube-public/cluster-info; bootstrap tokens may read the
 * kubeadm ConfigMaps and the kubeadm-certs Secret, read nodes and create CSRs; nodes may
 * manage nodes and pods and read everything else.
 */
export function authorize(user: UserInfo, access: Access): boolean {
  const groups = new Set(user.groups);
  if (groups.has('system:masters') || groups.has('kubeadm:cluster-admins')) return true;
  const read = access.verb === 'get' || access.verb === 'list' || access.verb === 'watch';
  if (read && is(access, 'configmaps', 'kube-public', 'cluster-info')) return true;
  if (groups.has('system:bootstrappers')) {
    if (read && is(access, 'configmaps', 'kube-system') && ['kubeadm-config', 'kubelet-config', 'kube-proxy'].includes(access.name ?? '')) return true;
    if (access.verb === 'get' && is(access, 'secrets', 'kube-system', 'kubeadm-certs') && groups.has('system:bootstrappers:kubeadm:default-node-token')) return true;
    if (read && is(access, 'nodes')) return true;
    if ((access.verb === 'create' || access.verb === 'get') && is(access, 'certificatesigningrequests')) return true;
    return false;
  }
  if (groups.has('system:nodes')) {
    if (is(access, 'nodes') || is(access, 'pods') || is(access, 'leases') || is(access, 'configmaps', 'kube-system')) return true;
    return read && access.info.resource !== 'secrets';
  }
  return false;
}
