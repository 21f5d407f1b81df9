import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { FLANNEL_MANIFEST, cniFlannel } from './cni-flannel';
import { cniFlannelParams } from './params';

/** The shape of flannel's released kube-flannel.yml (trimmed to what matters). */
const upstream = `---
kind: Namespace
apiVersion: v1
metadata:
  name: kube-flannel
  labels:
    pod-security.kubernetes.io/enforce: privileged
---
kind: ConfigMap
apiVersion: v1
metadata:
  name: kube-flannel-cfg
  namespace: kube-flannel
data:
  cni-conf.json: |
    { "name": "cbr0", "cniVersion": "0.3.1", "plugins": [ { "type": "flannel" } ] }
  net-conf.json: |
    {
      "Network": "10.244.0.0/16",
      "EnableNFTables": false,
      "Backend": {
        "Type": "vxlan"
      }
    }
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-flannel-ds
  namespace: kube-flannel
spec:
  template:
    spec:
      initContainers:
      - name: install-cni-plugin
        image: ghcr.io/flannel-io/flannel-cni-plugin:v1.6.2-flannel1
      containers:
      - name: kube-flannel
        image: ghcr.io/flannel-io/flannel:v0.26.7
`;
const sha = createHash('sha256').update(upstream).digest('hex');
const params = cniFlannelParams.parse({ version: 'v0.26.7', manifest: { path: '/srv/kube-flannel.yml', sha256: sha }, podCidr: '10.32.0.0/16' });
const kubectl = 'kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-flannel get';
const applied = (network: string) => ({
  [`${kubectl} configmap kube-flannel-cfg -o json`]: JSON.stringify({ data: { 'net-conf.json': JSON.stringify({ Network: network, Backend: { Type: 'vxlan' } }) } }),
  [`${kubectl} daemonset kube-flannel-ds -o json`]: JSON.stringify({ spec: { template: { spec: { containers: [{ image: 'ghcr.io/flannel-io/flannel:v0.26.7' }] } } } }),
});
const lines = (plan: ReturnType<typeof cniFlannel.plan>): string[] => plan.actions.map((action) => describeAction(action).split('  #')[0] ?? '');

describe('cni.flannel', () => {
  it.each([debianFacts, rhelFacts])('first run on $os.id renders Network = pod CIDR, applies with kubectl and waits for Ready', async (host) => {
    const reader = fakeHost(host, { '/srv/kube-flannel.yml': upstream });
    const facts = await cniFlannel.check(reader, params, {});
    const plan = cniFlannel.plan(facts, params, {});
    expect(lines(plan)).toEqual([
      `write ${FLANNEL_MANIFEST}`,
      'run kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/kumi/flannel/kube-flannel.yml',
      'wait for flannel pods Ready (up to 300s)',
    ]);
    const write = plan.actions[0];
    const docs = parseAllDocuments(write?.kind === 'write' ? String(write.content) : '').map((doc) => doc.toJSON() as { kind: string; data?: Record<string, string> });
    expect(docs.map((doc) => doc.kind)).toEqual(['Namespace', 'ConfigMap', 'DaemonSet']);
    expect(JSON.parse(docs[1]?.data?.['net-conf.json'] ?? '')).toEqual({ Network: '10.32.0.0/16', EnableNFTables: false, Backend: { Type: 'vxlan' } });
    const wait = plan.actions[2];
    expect(wait?.kind === 'wait' && wait.until).toEqual({
      kind: 'command',
      argv: ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', '-n', 'kube-flannel', 'wait', '--for=condition=Ready', 'pods', '-l', 'app=flannel', '--timeout=4s'],
    });
  });

  it('second run is a noop with its reason', async () => {
    const first = cniFlannel.plan(await cniFlannel.check(fakeHost(debianFacts, { '/srv/kube-flannel.yml': upstream }), params, {}), params, {});
    const written = first.actions[0]?.kind === 'write' ? String(first.actions[0].content) : '';
    const facts = await cniFlannel.check(fakeHost(debianFacts, { '/srv/kube-flannel.yml': upstream, [FLANNEL_MANIFEST]: written }, applied('10.32.0.0/16')), params, {});
    expect(cniFlannel.plan(facts, params, {})).toEqual({ actions: [], noop: 'flannel v0.26.7 already applied with Network 10.32.0.0/16, backend vxlan' });
    expect(await cniFlannel.outputs!(fakeHost(debianFacts), params, facts)).toEqual({ version: 'v0.26.7', namespace: 'kube-flannel', network: '10.32.0.0/16', backend: 'vxlan', manifestSha256: sha });
  });

  it('drift: the cluster runs another Network: re-apply and wait, the file stays', async () => {
    const first = cniFlannel.plan(await cniFlannel.check(fakeHost(debianFacts, { '/srv/kube-flannel.yml': upstream }), params, {}), params, {});
    const written = first.actions[0]?.kind === 'write' ? String(first.actions[0].content) : '';
    const facts = await cniFlannel.check(fakeHost(debianFacts, { '/srv/kube-flannel.yml': upstream, [FLANNEL_MANIFEST]: written }, applied('10.244.0.0/16')), params, {});
    expect(lines(cniFlannel.plan(facts, params, {}))).toEqual([
      'run kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/kumi/flannel/kube-flannel.yml',
      'wait for flannel pods Ready (up to 300s)',
    ]);
  });

  it('refuses a manifest whose sha256 or flannel version does not match, with a fix', async () => {
    const wrongSha = cniFlannelParams.parse({ ...params, manifest: { path: '/srv/kube-flannel.yml', sha256: '0'.repeat(64) } });
    await expect(cniFlannel.check(fakeHost(debianFacts, { '/srv/kube-flannel.yml': upstream }), wrongSha, {})).rejects.toThrow(/sha256 is .* Fix/);
    const wrongVersion = cniFlannelParams.parse({ ...params, version: 'v0.27.0' });
    await expect(cniFlannel.check(fakeHost(debianFacts, { '/srv/kube-flannel.yml': upstream }), wrongVersion, {})).rejects.toThrow(/not version v0.27.0.*Fix/);
  });
});
