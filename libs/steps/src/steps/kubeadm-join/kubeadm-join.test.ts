import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { Secret } from '../../secret';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { KubeadmJoinFacts } from './kubeadm-join';
import { kubeadmJoin } from './kubeadm-join';
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

  it('second run is a noop for both roles', () => {
    const joinedWorker = { ...fresh, state: { ...fresh.state, kubeletConf: true } };
    expect(kubeadmJoin.plan(joinedWorker, worker, secrets).noop).toBe('master2 already joined the cluster as a worker');
    const joinedCp = { ...fresh, state: { ...fresh.state, kubeletConf: true, apiserverManifest: true, adminConf: true } };
    expect(kubeadmJoin.plan(joinedCp, controlPlane, secrets).noop).toBe('master2 already joined the cluster as a control plane');
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

  it('needs the certificate key only for a control plane', async () => {
    const onlyToken = { bootstrapToken: secrets.bootstrapToken };
    await expect(kubeadmJoin.check(fakeHost(debianFacts, {}, probes), worker, onlyToken)).resolves.toBeDefined();
    await expect(kubeadmJoin.check(fakeHost(debianFacts, {}, probes), controlPlane, onlyToken)).rejects.toThrow(/certificateKey is missing/);
  });

  it('refuses to turn a worker into a control plane without a reset', async () => {
    const host = fakeHost(debianFacts, { '/etc/kubernetes/kubelet.conf': '    server: https://192.0.2.100:6443\n' }, probes);
    await expect(kubeadmJoin.check(host, controlPlane, secrets)).rejects.toThrow(/already joined as a worker.*kubeadm.reset/);
  });
});
