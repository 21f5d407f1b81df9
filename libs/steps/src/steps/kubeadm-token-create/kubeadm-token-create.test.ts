import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { Secret } from '../../secret';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { caCertHash } from '../common/ca-cert-hash';
import { fakeHost } from '../common/fake-host';
import { kubeadmUploadCerts } from '../kubeadm-upload-certs/kubeadm-upload-certs';
import { kubeadmUploadCertsParams } from '../kubeadm-upload-certs/params';
import { kubeadmTokenDelete } from '../kubeadm-token-delete/kubeadm-token-delete';
import { kubeadmTokenDeleteParams } from '../kubeadm-token-delete/params';
import { kubeadmTokenCreate } from './kubeadm-token-create';
import { kubeadmTokenCreateParams } from './params';

const token = 'k7x2pq.0123456789abcdef';
const secrets = { bootstrapToken: new Secret(token) };
const params = kubeadmTokenCreateParams.parse({ kubernetesVersion: '1.33.2', ttl: '2h' });
const files = { '/etc/kubernetes/admin.conf': 'server: https://192.0.2.100:6443\n' };
const listed = (ids: string[]): string =>
  ids
    .map((id) => JSON.stringify({ kind: 'BootstrapToken', token: `${id}.ffffffffffffffff`, expires: '2026-11-27T12:00:00Z', description: 'x' }, null, 2))
    .join('\n');
const probesWith = (ids: string[]) => ({
  'kubeadm version -o short': 'v1.33.2\n',
  'kubeadm token list --kubeconfig /etc/kubernetes/admin.conf -o json': listed(ids),
});

describe('kubeadm.token-create', () => {
  it.each([debianFacts, rhelFacts])('first run on $os.id creates the token from a secret config file', async (facts) => {
    const checked = await kubeadmTokenCreate.check(fakeHost(facts, files, probesWith(['abcdef'])), params, secrets);
    expect(checked).toEqual({ tokenId: 'k7x2pq', existing: undefined });
    const plan = kubeadmTokenCreate.plan(checked, params, secrets);
    const run = plan.actions[0];
    expect(plan.actions.map((action) => describeAction(action).split('  #')[0])).toEqual([
      'run kubeadm token create --kubeconfig /etc/kubernetes/admin.conf --config {{file:token.yaml}}',
    ]);
    if (run?.kind !== 'run') throw new Error('expected run');
    expect(parseAllDocuments((run.secretFiles?.['token.yaml'] as Secret).reveal())[0]?.toJS()).toMatchObject({
      kind: 'InitConfiguration',
      bootstrapTokens: [{ token, ttl: '2h', usages: ['signing', 'authentication'] }],
    });
    expect(JSON.stringify(plan)).not.toContain('0123456789abcdef');
  });

  it('sends a ClusterConfiguration with the version, so kubeadm never resolves "stable-1" online', () => {
    const plan = kubeadmTokenCreate.plan({ tokenId: 'k7x2pq', existing: undefined }, params, secrets);
    const run = plan.actions[0];
    if (run?.kind !== 'run') throw new Error('expected run');
    const docs = parseAllDocuments((run.secretFiles?.['token.yaml'] as Secret).reveal()).map((doc) => doc.toJS() as Record<string, unknown>);
    expect(docs.map((doc) => doc['kind'])).toEqual(['InitConfiguration', 'ClusterConfiguration']);
    expect(docs[1]).toEqual({ apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', kubernetesVersion: 'v1.33.2' });
  });

  it('second run is a noop naming the token id and expiry', async () => {
    const checked = await kubeadmTokenCreate.check(fakeHost(debianFacts, files, probesWith(['abcdef', 'k7x2pq'])), params, secrets);
    expect(kubeadmTokenCreate.plan(checked, params, secrets).noop).toBe('bootstrap token k7x2pq already exists (expires 2026-11-27T12:00:00Z)');
  });
});

describe('kubeadm.token-delete', () => {
  const deleteParams = kubeadmTokenDeleteParams.parse({ tokenId: 'k7x2pq' });
  it('deletes by public id only', async () => {
    const checked = await kubeadmTokenDelete.check(fakeHost(rhelFacts, files, probesWith(['k7x2pq'])), deleteParams, {});
    expect(kubeadmTokenDelete.plan(checked, deleteParams, {}).actions.map((action) => describeAction(action).split('  #')[0])).toEqual([
      'run kubeadm token delete --kubeconfig /etc/kubernetes/admin.conf k7x2pq',
    ]);
  });

  it('is a noop when the token is gone', async () => {
    const checked = await kubeadmTokenDelete.check(fakeHost(debianFacts, files, probesWith([])), deleteParams, {});
    expect(kubeadmTokenDelete.plan(checked, deleteParams, {}).noop).toBe('bootstrap token k7x2pq does not exist (already deleted or expired)');
  });
});

describe('steps that need an initialised control plane', () => {
  const withoutAdmin = fakeHost(debianFacts, {}, probesWith(['k7x2pq']));
  it.each([
    ['kubeadm.token-delete', () => kubeadmTokenDelete.check(withoutAdmin, kubeadmTokenDeleteParams.parse({ tokenId: 'k7x2pq' }), {})],
    ['kubeadm.token-create', () => kubeadmTokenCreate.check(withoutAdmin, params, secrets)],
    [
      'kubeadm.upload-certs',
      () => kubeadmUploadCerts.check(withoutAdmin, kubeadmUploadCertsParams.parse({ kubernetesVersion: '1.33.2' }), { certificateKey: new Secret('ab'.repeat(32)) }),
    ],
  ] as const)('%s without admin.conf fails its check naming admin.conf and the fix', async (stepId, check) => {
    await expect(check()).rejects.toMatchObject({
      code: 'CHECK_FAILED',
      message: `${debianFacts.hostName} is not an initialised control plane (no /etc/kubernetes/admin.conf), so ${stepId} cannot run. Fix: run it on a control plane after kubeadm.init or kubeadm.join.`,
    });
  });
});

describe('kubeadm.token-create outputs', () => {
  it('report the token id, its expiry and the CA hash, never the secret', async () => {
    const pem = execFileSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', '/dev/null', '-days', '1', '-subj', '/CN=kubernetes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const host = fakeHost(debianFacts, { ...files, '/etc/kubernetes/pki/ca.crt': pem }, probesWith(['k7x2pq']));
    const outputs = await kubeadmTokenCreate.outputs!(host, params, { tokenId: 'k7x2pq', existing: undefined });
    expect(outputs).toEqual({ tokenId: 'k7x2pq', expires: '2026-11-27T12:00:00Z', caCertHash: caCertHash(pem) });
    expect(JSON.stringify(outputs)).not.toContain('0123456789abcdef');
  });
});
