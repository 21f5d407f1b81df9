import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runStep } from '../../executor';
import { describeAction } from '../../plan';
import { StepFailure } from '../../run-types';
import { Secret } from '../../secret';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { KubeadmJoinFacts } from './kubeadm-join';
import { KUBELET_CLIENT_CERT, kubeadmJoin } from './kubeadm-join';
import { kubeadmJoinParams } from './params';

const token = 'abcdef.0123456789abcdef';
const key = '0123456789abcdef'.repeat(4);
const hash = `sha256:${'ab'.repeat(32)}`;
const secrets = { bootstrapToken: new Secret(token), certificateKey: new Secret(key) };
const base = { kubernetesVersion: '1.33.2', controlPlaneEndpoint: { host: '192.0.2.100' }, caCertHashes: [hash] };
const worker = kubeadmJoinParams.parse({ ...base, role: 'worker' });
const controlPlane = kubeadmJoinParams.parse({ ...base, role: 'control-plane' });
const fresh: KubeadmJoinFacts = {
  state: { kubeadmVersion: '1.33.2', adminConf: false, kubeletConf: false, apiserverManifest: false, server: undefined },
  kubeletClientCert: false,
  advertiseAddress: '192.0.2.12',
  nodeName: 'master2',
};

function joinConfig(facts: KubeadmJoinFacts, params = controlPlane): Record<string, unknown> {
  const run = kubeadmJoin.plan(facts, params, secrets).actions[0];
  if (run?.kind !== 'run') throw new Error('expected a run action');
  expect(run.argv).toEqual(['kubeadm', 'join', '--config', '{{file:kubeadm-join.yaml}}']);
  return parse((run.secretFiles?.['kubeadm-join.yaml'] as Secret).reveal()) as Record<string, unknown>;
}

describe('kubeadm.join plan', () => {
  it('control plane: JoinConfiguration with token, CA hash, certificate key and local endpoint', () => {
    expect(joinConfig(fresh)).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'JoinConfiguration',
      discovery: { bootstrapToken: { apiServerEndpoint: '192.0.2.100:6443', token, caCertHashes: [hash] } },
      nodeRegistration: { name: 'master2', criSocket: 'unix:///var/run/containerd/containerd.sock' },
      controlPlane: { localAPIEndpoint: { advertiseAddress: '192.0.2.12', bindPort: 6443 }, certificateKey: key },
    });
  });

  it('worker: no controlPlane section and no certificate key needed', () => {
    const config = joinConfig({ ...fresh, nodeName: 'worker1' }, worker);
    expect(config['controlPlane']).toBeUndefined();
    expect(JSON.stringify(config)).not.toContain(key);
  });

  it('never puts a secret into argv or the printable plan', () => {
    const plan = kubeadmJoin.plan(fresh, controlPlane, secrets);
    const printed = plan.actions.map(describeAction).join('\n') + JSON.stringify(plan);
    expect(printed).not.toContain(token.split('.')[1]);
    expect(printed).not.toContain(key);
  });

  it('second run is a noop for both roles, with or without secrets', () => {
    const joinedWorker = { ...fresh, state: { ...fresh.state, kubeletConf: true }, kubeletClientCert: true };
    const joinedCp = { ...fresh, state: { ...fresh.state, kubeletConf: true, apiserverManifest: true, adminConf: true }, kubeletClientCert: true };
    for (const bag of [secrets, {}]) {
      expect(kubeadmJoin.plan(joinedWorker, worker, bag).noop).toBe('master2 already joined the cluster as a worker');
      expect(kubeadmJoin.plan(joinedCp, controlPlane, bag).noop).toBe('master2 already joined the cluster as a control plane');
    }
  });

  const missing: { name: string; facts: KubeadmJoinFacts; params: typeof worker; bag: Record<string, Secret>; error: RegExp }[] = [
    { name: 'worker, no token', facts: fresh, params: worker, bag: {}, error: /the secret bootstrapToken is missing/ },
    { name: 'control plane, no token', facts: fresh, params: controlPlane, bag: { certificateKey: secrets.certificateKey }, error: /the secret bootstrapToken is missing/ },
    { name: 'control plane, no certificate key', facts: fresh, params: controlPlane, bag: { bootstrapToken: secrets.bootstrapToken }, error: /the secret certificateKey is missing/ },
    { name: 'worker with a token in the wrong form', facts: fresh, params: worker, bag: { bootstrapToken: new Secret('not-a-token') }, error: /the secret bootstrapToken is not a bootstrap token/ },
    {
      name: 'worker whose kubelet.conf exists but not the client certificate (plan alone)',
      facts: { ...fresh, state: { ...fresh.state, kubeletConf: true } },
      params: worker,
      bag: {},
      error: /the secret bootstrapToken is missing/,
    },
  ];
  it.each(missing)('a join still needed demands its secrets: $name', (row) => {
    expect(() => kubeadmJoin.plan(row.facts, row.params, row.bag)).toThrow(row.error);
    try {
      kubeadmJoin.plan(row.facts, row.params, row.bag);
    } catch (error) {
      expect((error as StepFailure).code).toBe('INVALID_PARAMS');
    }
  });

  it('through the executor: a dry run without secrets is a noop when joined, INVALID_PARAMS (not INTERNAL) when a join is needed', async () => {
    const joined = { ...fresh, state: { ...fresh.state, kubeletConf: true }, kubeletClientCert: true };
    const options = { root: '/nonexistent', facts: debianFacts, params: { ...base, role: 'worker' }, secrets: {}, dryRun: true };
    const outputs = async () => ({ role: 'worker' as const, nodeName: 'master2', caCertHash: hash });
    await expect(runStep({ ...kubeadmJoin, check: async () => joined, outputs }, options)).resolves.toMatchObject({ status: 'noop', reason: 'master2 already joined the cluster as a worker' });
    const failure = await runStep({ ...kubeadmJoin, check: async () => fresh }, options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('the secret bootstrapToken is missing') });
  });
});

describe('kubeadm.join check', () => {
  const probes = { 'kubeadm version -o short': 'v1.33.2\n' };
  it.each([debianFacts, rhelFacts])('reads the node state on $os.id', async (facts) => {
    expect(await kubeadmJoin.check(fakeHost(facts, {}, probes), controlPlane, secrets)).toEqual({
      ...fresh,
      advertiseAddress: facts.defaultIpv4,
      nodeName: facts.hostName,
    });
  });

  const joinedWorkerFiles = { '/etc/kubernetes/kubelet.conf': '    server: https://192.0.2.100:6443\n', [KUBELET_CLIENT_CERT]: 'PEM' };
  const joinedCpFiles = { ...joinedWorkerFiles, '/etc/kubernetes/admin.conf': '    server: https://192.0.2.100:6443\n', '/etc/kubernetes/manifests/kube-apiserver.yaml': 'kind: Pod\n' };

  it.each([
    { name: 'worker', params: worker, files: joinedWorkerFiles, noop: 'already joined the cluster as a worker' },
    { name: 'control plane', params: controlPlane, files: joinedCpFiles, noop: 'already joined the cluster as a control plane' },
  ])('re-checks a finished $name join without any secret', async (row) => {
    const facts = await kubeadmJoin.check(fakeHost(debianFacts, row.files, probes), row.params, {});
    expect(facts).toMatchObject({ kubeletClientCert: true, state: { kubeletConf: true } });
    expect(kubeadmJoin.plan(facts, row.params, {}).noop).toBe(`${debianFacts.hostName} ${row.noop}`);
  });

  it('reads a fresh host without secrets (the plan asks for them)', async () => {
    await expect(kubeadmJoin.check(fakeHost(debianFacts, {}, probes), controlPlane, {})).resolves.toMatchObject({ kubeletClientCert: false, state: { kubeletConf: false } });
  });

  it('a worker with kubelet.conf but no kubelet client certificate has not finished joining: reset first', async () => {
    const host = fakeHost(debianFacts, { '/etc/kubernetes/kubelet.conf': '    server: https://192.0.2.100:6443\n' }, probes);
    await expect(kubeadmJoin.check(host, worker, {})).rejects.toThrow(
      /has \/etc\/kubernetes\/kubelet.conf but no \/var\/lib\/kubelet\/pki\/kubelet-client-current.pem: an earlier join did not finish .*Fix: run kubeadm.reset/,
    );
  });

  it('refuses to turn a worker into a control plane without a reset', async () => {
    const host = fakeHost(debianFacts, { '/etc/kubernetes/kubelet.conf': '    server: https://192.0.2.100:6443\n' }, probes);
    await expect(kubeadmJoin.check(host, controlPlane, secrets)).rejects.toThrow(/already joined as a worker.*kubeadm.reset/);
  });
});
