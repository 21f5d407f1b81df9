import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { Secret } from '../../secret';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { KubeadmInitFacts } from './kubeadm-init';
import { kubeadmInit } from './kubeadm-init';
import { kubeadmInitParams } from './params';

const token = 'abcdef.0123456789abcdef';
const key = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
const secrets = { bootstrapToken: new Secret(token), certificateKey: new Secret(key) };
const params = kubeadmInitParams.parse({ kubernetesVersion: '1.33.2', controlPlaneEndpoint: { host: '192.0.2.100' } });
const fresh: KubeadmInitFacts = {
  state: { kubeadmVersion: '1.33.2', adminConf: false, kubeletConf: false, apiserverManifest: false, server: undefined },
  advertiseAddress: '192.0.2.11',
  nodeName: 'master1',
};

function configOf(facts: KubeadmInitFacts, p = params): Record<string, unknown>[] {
  const run = kubeadmInit.plan(facts, p, secrets).actions[0];
  if (run?.kind !== 'run') throw new Error('expected a run action');
  const file = run.secretFiles?.['kubeadm-init.yaml'];
  expect(file).toBeInstanceOf(Secret);
  return parseAllDocuments((file as Secret).reveal()).map((doc) => doc.toJSON() as Record<string, unknown>);
}

describe('kubeadm.init plan', () => {
  it('first run: kubeadm init --config with the minted secrets inside the 0600 file, never in argv', () => {
    const plan = kubeadmInit.plan(fresh, params, secrets);
    expect(plan.actions.map((action) => describeAction(action).split('  #')[0])).toEqual([
      'run kubeadm init --config {{file:kubeadm-init.yaml}} --upload-certs --skip-token-print --skip-certificate-key-print',
      'wait for API server through 192.0.2.100:6443 (up to 120s)',
    ]);
    const argv = plan.actions[0]?.kind === 'run' ? plan.actions[0].argv.join(' ') : '';
    expect(argv).not.toContain(token);
    expect(argv).not.toContain(key);
    expect(JSON.stringify(plan)).not.toContain(token.split('.')[1]);
    const [init, cluster] = configOf(fresh);
    expect(init).toMatchObject({
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'InitConfiguration',
      bootstrapTokens: [{ token, ttl: '2h', usages: ['signing', 'authentication'] }],
      certificateKey: key,
      localAPIEndpoint: { advertiseAddress: '192.0.2.11', bindPort: 6443 },
      nodeRegistration: { name: 'master1', criSocket: 'unix:///var/run/containerd/containerd.sock' },
    });
    expect(cluster).toMatchObject({
      kind: 'ClusterConfiguration',
      kubernetesVersion: 'v1.33.2',
      controlPlaneEndpoint: '192.0.2.100:6443',
      networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' },
    });
  });

  it('uses v1beta3 before 1.31 and the cri-dockerd socket for Docker', () => {
    const old = kubeadmInitParams.parse({ ...params, kubernetesVersion: '1.30.5', runtime: 'docker' });
    const [init] = configOf(fresh, old);
    expect(init).toMatchObject({ apiVersion: 'kubeadm.k8s.io/v1beta3', nodeRegistration: { criSocket: 'unix:///var/run/cri-dockerd.sock' } });
  });

  it('second run is a noop with its reason', () => {
    const done = { ...fresh, state: { ...fresh.state, adminConf: true, kubeletConf: true, apiserverManifest: true, server: 'https://192.0.2.100:6443' } };
    expect(kubeadmInit.plan(done, params, secrets)).toEqual({ actions: [], noop: 'control plane already initialised for https://192.0.2.100:6443' });
  });
});

describe('kubeadm.init check', () => {
  const probes = { 'kubeadm version -o short': 'v1.33.2\n' };
  it.each([debianFacts, rhelFacts])('reads state and defaults on $os.id', async (facts) => {
    const checked = await kubeadmInit.check(fakeHost(facts, {}, probes), params, secrets);
    expect(checked).toEqual({ ...fresh, advertiseAddress: facts.defaultIpv4, nodeName: facts.hostName });
  });

  it('refuses a half-finished init, another cluster, bad secrets and a missing kubeadm, each with a fix', async () => {
    const half = fakeHost(debianFacts, { '/etc/kubernetes/admin.conf': 'server: https://192.0.2.100:6443\n' }, probes);
    await expect(kubeadmInit.check(half, params, secrets)).rejects.toThrow(/half-finished.*Fix: run kubeadm.reset/);
    const other = fakeHost(
      debianFacts,
      { '/etc/kubernetes/admin.conf': '    server: https://198.51.100.1:6443\n', '/etc/kubernetes/manifests/kube-apiserver.yaml': '' },
      probes,
    );
    await expect(kubeadmInit.check(other, params, secrets)).rejects.toThrow(/198.51.100.1.*Fix/);
    const bad = { ...secrets, bootstrapToken: new Secret('NOT-A-TOKEN') };
    await expect(kubeadmInit.check(fakeHost(debianFacts, {}, probes), params, bad)).rejects.toThrow(/bootstrapToken is not a bootstrap token/);
    await expect(kubeadmInit.check(fakeHost(debianFacts), params, secrets)).rejects.toThrow(/kubeadm is not installed.*kubernetes.packages/);
  });
});
