import { describe, expect, it } from 'vitest';
import { resourceByRest } from '../src/common/resources';
import { authorize, type UserInfo } from '../src/apiserver/auth';
import { withNodeLiveness, NODE_GRACE_MS } from '../src/apiserver/controllers';
import { isExpiredBootstrapToken } from '../src/apiserver/lifecycle';
import { mergePatch } from '../src/apiserver/merge-patch';
import { parseRoute } from '../src/apiserver/server';
import { tokenSecret } from '../src/kubeadm/tokens';
import { toleratesNode } from '../src/kubelet/scheduling';

const secrets = resourceByRest('', 'secrets');
const configmaps = resourceByRest('', 'configmaps');
const bootstrapper: UserInfo = { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] };
const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const node: UserInfo = { name: 'system:node:worker1', groups: ['system:nodes'] };

describe('API server stand-in rules', () => {
  it('routes core and group paths', () => {
    expect(parseRoute('/api/v1/namespaces/kube-system/secrets/kubeadm-certs')).toMatchObject({ info: { resource: 'secrets' }, namespace: 'kube-system', name: 'kubeadm-certs' });
    expect(parseRoute('/api/v1/nodes/master1/status')).toMatchObject({ info: { resource: 'nodes', namespaced: false }, name: 'master1', subresource: 'status' });
    expect(parseRoute('/apis/apps/v1/daemonsets')).toMatchObject({ info: { resource: 'daemonsets', group: 'apps' } });
    expect(parseRoute('/healthz')).toBeUndefined();
  });

  it('lets anonymous read only cluster-info, and bootstrap tokens only what kubeadm join needs', () => {
    expect(authorize(anonymous, { verb: 'get', info: configmaps, namespace: 'kube-public', name: 'cluster-info' })).toBe(true);
    expect(authorize(anonymous, { verb: 'get', info: secrets, namespace: 'kube-system', name: 'kubeadm-certs' })).toBe(false);
    expect(authorize(bootstrapper, { verb: 'get', info: secrets, namespace: 'kube-system', name: 'kubeadm-certs' })).toBe(true);
    expect(authorize(bootstrapper, { verb: 'get', info: secrets, namespace: 'kube-system', name: 'bootstrap-token-abcdef' })).toBe(false);
    expect(authorize(bootstrapper, { verb: 'list', info: secrets, namespace: 'kube-system' })).toBe(false);
    expect(authorize(node, { verb: 'get', info: secrets, namespace: 'kube-system', name: 'kubeadm-certs' })).toBe(false);
    expect(authorize(node, { verb: 'update', info: resourceByRest('', 'nodes'), name: 'worker1' })).toBe(true);
  });

  it('expires bootstrap tokens by their expiration against the given (lab) clock', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const secret = tokenSecret('abcdef.0123456789abcdef', { ttlMs: 2 * 3_600_000, usages: ['authentication'], groups: [], description: '' }, now);
    expect(isExpiredBootstrapToken(secret, new Date(now.getTime() + 2 * 3_600_000 - 1000))).toBe(false);
    expect(isExpiredBootstrapToken(secret, new Date(now.getTime() + 2 * 3_600_000))).toBe(true);
  });

  it('reports a silent kubelet\'s node as Unknown after the grace period', () => {
    const beat = new Date('2026-11-27T10:00:00Z');
    const n = { kind: 'Node', status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: beat.toISOString() }] } };
    expect((withNodeLiveness(n, new Date(beat.getTime() + NODE_GRACE_MS)).status as { conditions: { status: string }[] }).conditions[0]?.status).toBe('True');
    expect((withNodeLiveness(n, new Date(beat.getTime() + NODE_GRACE_MS + 1000)).status as { conditions: { status: string }[] }).conditions[0]?.status).toBe('Unknown');
  });

  it('merge-patches and deletes with null', () => {
    expect(mergePatch({ spec: { a: 1, b: 2 }, x: [1] }, { spec: { b: null, c: 3 }, x: [2] })).toEqual({ spec: { a: 1, c: 3 }, x: [2] });
  });

  it('keeps pods without the toleration off control-plane nodes', () => {
    const cp = { spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } };
    expect(toleratesNode({}, cp)).toBe(false);
    expect(toleratesNode({ tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }, cp)).toBe(true);
    expect(toleratesNode({ tolerations: [{ operator: 'Exists' }] }, cp)).toBe(true);
  });
});
