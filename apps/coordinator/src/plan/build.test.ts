import { findStep, kubeadmJoinParams } from '@kumi/steps';
import { describe, expect, it } from 'vitest';
import { buildPlan } from './build';
import { PlanParamsError, stepParams } from './step-params';
import { seedSpec } from '../../test/seed-spec';
import type { Plan, PlanEntry } from './types';

const entries = (plan: Plan): PlanEntry[] => plan.stages.flatMap((stage) => stage.entries);
const stage = (plan: Plan, id: string) => plan.stages.find((candidate) => candidate.id === id);
const pairs = (plan: Plan, id: string) => stage(plan, id)?.entries.map((entry) => `${entry.step}@${entry.host}`);

describe('buildPlan for the seed cluster', () => {
  const plan = buildPlan(seedSpec());

  it('orders the reference stages', () => {
    expect(plan.stages.map((s) => s.id)).toEqual([
      'attach', 'preflight', 'prepare', 'endpoint', 'init', 'pod-network', 'join-control-planes', 'join-workers', 'verify', 'drill',
    ]);
    expect(stage(plan, 'attach')?.after[0]?.check).toEqual({ kind: 'agents-attached', hosts: ['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1'] });
  });

  it('gives every entry parameters its step schema accepts, with a stable path', () => {
    for (const entry of entries(plan)) {
      const schema = findStep(entry.step)?.params;
      expect(schema, entry.step).toBeDefined();
      const sample: Record<string, unknown> = { 'ca-cert-hash': ['sha256:' + 'a'.repeat(64)], 'lane-token-id': 'abcdef' };
      const runtime = Object.fromEntries(entry.inputs.filter((i) => i.required).map((i) => [i.param, sample[i.source]]));
      expect(schema?.safeParse({ ...entry.params, ...runtime }).success, entry.path).toBe(true);
      expect(entry.path).toBe(`${entry.stage}/${entry.step}@${entry.host}`);
    }
    expect(new Set(entries(plan).map((e) => e.path)).size).toBe(entries(plan).length);
  });

  it('prepares nodes and load balancers in parallel, with keepalived MASTER on lb1', () => {
    const prepare = stage(plan, 'prepare');
    expect(prepare?.concurrency).toEqual({ kind: 'all' });
    expect(prepare?.entries.filter((e) => e.host === 'lb1').map((e) => e.step)).toEqual(['firewall', 'lb.haproxy', 'lb.keepalived']);
    expect(prepare?.entries.filter((e) => e.host === 'worker1').map((e) => e.step)).toEqual([
      'swap.off', 'kernel.modules', 'sysctl.kubernetes', 'firewall', 'runtime.containerd', 'kubernetes.packages',
    ]);
    const keepalived = prepare?.entries.filter((e) => e.step === 'lb.keepalived').map((e) => [e.host, e.params.state, e.params.priority, e.params.vip]);
    expect(keepalived).toEqual([['lb1', 'MASTER', 101, '192.0.2.100'], ['lb2', 'BACKUP', 100, '192.0.2.100']]);
    const haproxy = prepare?.entries.find((e) => e.step === 'lb.haproxy');
    expect(haproxy?.params.backends).toEqual([
      { name: 'master1', address: '192.0.2.21', port: 6443 },
      { name: 'master2', address: '192.0.2.22', port: 6443 },
      { name: 'master3', address: '192.0.2.23', port: 6443 },
    ]);
    expect(prepare?.entries.find((e) => e.path === 'prepare/firewall@lb1')?.params.roles).toEqual(['load-balancer']);
  });

  it('waits for the VIP on every node, then inits master1 and applies flannel there', () => {
    expect(pairs(plan, 'endpoint')).toEqual(['net.wait-tcp@master1', 'net.wait-tcp@master2', 'net.wait-tcp@master3', 'net.wait-tcp@worker1']);
    expect(stage(plan, 'endpoint')?.entries[0]?.params).toMatchObject({ host: '192.0.2.100', port: 6443 });
    expect(pairs(plan, 'init')).toEqual(['kubeadm.init@master1', 'kubeadm.token-delete@master1', 'kubeadm.admin-kubeconfig@master1']);
    // init's token is deleted also after a failed init (the step is a NOOP when there is none).
    expect(stage(plan, 'init')?.entries.map((e) => e.cleanup === true)).toEqual([false, true, false]);
    expect(stage(plan, 'init')?.entries[0]?.params).toMatchObject({
      kubernetesVersion: '1.33.2', controlPlaneEndpoint: { host: '192.0.2.100', port: 6443 }, podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', advertiseAddress: '192.0.2.21', clusterName: 'seed-ha',
    });
    expect(pairs(plan, 'pod-network')).toEqual(['cni.flannel@master1']);
    expect(stage(plan, 'pod-network')?.entries[0]?.params).toMatchObject({ version: 'v0.26.7', backend: 'vxlan', podCidr: '10.244.0.0/16', manifest: { path: '/opt/kumi/kube-flannel.yml' } });
  });

  it('joins control planes one at a time, each gated on API and etcd health and port probes', () => {
    const join = stage(plan, 'join-control-planes');
    expect(join?.concurrency).toEqual({ kind: 'one-at-a-time' });
    const lane = (host: string) => ['upload-certs', 'token-create', 'join', 'token-delete', 'admin-kubeconfig'].map((step) => `kubeadm.${step}@${host}`);
    expect(pairs(plan, 'join-control-planes')).toEqual([...lane('master2'), ...lane('master3')]);
    // The gates sit on the lane's first entry: no key is uploaded, no token made, before they pass.
    const first = join?.entries.find((e) => e.path === 'join-control-planes/kubeadm.upload-certs@master3');
    expect(first?.gates.map((g) => g.id)).toEqual(['api-healthy', 'etcd-healthy', 'endpoint-reachable', 'etcd-client-reachable', 'etcd-peer-reachable']);
    expect(first?.gates[1]?.check).toMatchObject({ kind: 'probe', host: 'master1', step: 'verify', params: { checks: ['etcd-health'] } });
    expect(first?.gates[4]?.check).toMatchObject({ kind: 'probe', host: 'master3', step: 'net.wait-tcp', params: { host: '192.0.2.21', port: 2380 } });
    const ungated = join?.entries.filter((e) => e.host === 'master3' && e.gates.length === 0).map((e) => e.step);
    expect(ungated).toEqual(['kubeadm.token-create', 'kubeadm.join', 'kubeadm.token-delete', 'kubeadm.admin-kubeconfig']);
    const master3 = join?.entries.find((e) => e.path === 'join-control-planes/kubeadm.join@master3');
    expect(master3?.params).toMatchObject({ role: 'control-plane', advertiseAddress: '192.0.2.23', nodeName: 'master3' });
  });

  it('joins workers under the cap', () => {
    expect(stage(plan, 'join-workers')?.concurrency).toEqual({ kind: 'cap', max: 5 });
    expect(pairs(plan, 'join-workers')).toEqual(['kubeadm.token-create@worker1', 'kubeadm.join@worker1', 'kubeadm.token-delete@worker1']);
    // A worker's lane starts with its token: the endpoint probe gates that, not the join.
    expect(stage(plan, 'join-workers')?.entries.map((e) => e.gates.map((g) => g.id))).toEqual([['endpoint-reachable'], [], []]);
  });

  it('marks which entries need which brokered secret, and how each is minted; no secret value in the plan', () => {
    const needs = entries(plan).filter((e) => e.secrets.length > 0).map((e) => [e.path, e.secrets.map((s) => `${s.name}:${s.mint.how === 'generate' ? 'generate' : s.mint.installedBy}`)]);
    expect(needs).toEqual([
      ['init/kubeadm.init@master1', ['bootstrapToken:generate', 'certificateKey:generate']],
      ...['master2', 'master3'].flatMap((host) => [
        [`join-control-planes/kubeadm.upload-certs@${host}`, [`certificateKey:join-control-planes/kubeadm.upload-certs@${host}`]],
        [`join-control-planes/kubeadm.token-create@${host}`, [`bootstrapToken:join-control-planes/kubeadm.token-create@${host}`]],
        [`join-control-planes/kubeadm.join@${host}`, [`bootstrapToken:join-control-planes/kubeadm.token-create@${host}`, `certificateKey:join-control-planes/kubeadm.upload-certs@${host}`]],
      ]),
      ['join-workers/kubeadm.token-create@worker1', ['bootstrapToken:join-workers/kubeadm.token-create@worker1']],
      ['join-workers/kubeadm.join@worker1', ['bootstrapToken:join-workers/kubeadm.token-create@worker1']],
    ]);
    // The token entries run on the healthy control plane, in the joiner's lane; the delete also after a failure.
    const [create, , remove] = stage(plan, 'join-workers')?.entries ?? [];
    expect(create).toMatchObject({ runOn: 'master1', lane: 'join-workers@worker1', params: { ttl: '15m', kubernetesVersion: '1.33.2', description: 'kumi join worker1' } });
    expect(remove).toMatchObject({ runOn: 'master1', lane: 'join-workers@worker1', cleanup: true, inputs: [{ param: 'tokenId', source: 'lane-token-id', required: true }] });
    for (const entry of entries(plan)) {
      expect(Object.keys(entry.params)).not.toEqual(expect.arrayContaining(['bootstrapToken']));
      expect(Object.keys(entry.params)).not.toEqual(expect.arrayContaining(['certificateKey']));
    }
    const join = stage(plan, 'join-workers')?.entries[1];
    expect(join?.inputs).toEqual([{ param: 'caCertHashes', source: 'ca-cert-hash', required: true }]);
    expect(kubeadmJoinParams.safeParse(join?.params).success).toBe(false);
  });

  it('verifies from master1 and drills master1 from a healthy cluster', () => {
    expect(stage(plan, 'verify')?.entries[0]?.params).toMatchObject({ expectedNodes: ['master1', 'master2', 'master3', 'worker1'], checks: ['nodes-ready', 'control-plane-pods', 'dns', 'api-via-vip', 'etcd-health'] });
    expect(pairs(plan, 'drill')).toEqual(['drill@master1']);
    expect(stage(plan, 'drill')?.before[0]?.check).toMatchObject({ host: 'master2' });
  });
});

describe('buildPlan variants', () => {
  it('drops the endpoint stage without a load balancer and aims at the control plane', () => {
    const plan = buildPlan(
      seedSpec((text) =>
        text
          .replace(/ {2}loadBalancer:\n( {4}.*\n)+/, '')
          .replace(/ {4}- \{ name: lb\d.*\n/g, '')
          .replace('192.0.2.100:6443', '192.0.2.21:6443')
          .replace('enabled: true', 'enabled: false'),
      ),
    );
    expect(plan.stages.map((s) => s.id)).toEqual(['attach', 'preflight', 'prepare', 'init', 'pod-network', 'join-control-planes', 'join-workers', 'verify']);
    expect(plan.stages.find((s) => s.id === 'init')?.entries[0]?.params.controlPlaneEndpoint).toEqual({ host: '192.0.2.21', port: 6443 });
  });

  it('adds a tolerant verify from another control plane after a poweroff drill', () => {
    const plan = buildPlan(seedSpec((text) => text.replace('mode: stop', 'mode: poweroff').replace('target: master1', 'target: master2')));
    const drill = plan.stages.find((s) => s.id === 'drill');
    expect(drill?.entries.map((e) => `${e.step}@${e.host}`)).toEqual(['drill@master2', 'verify@master1']);
    expect(drill?.entries[1]?.params.tolerateDown).toEqual(['master2']);
  });

  it('leaves the DNS check out when verify.dns is false, and uses Docker when asked', () => {
    const docker = `runtime: docker\n  docker:\n    criDockerd:\n      version: 0.3.16\n      package: { url: "https://example.com/cri-dockerd.deb", sha256: "${'b'.repeat(64)}" }`;
    const plan = buildPlan(seedSpec((text) => text.replace('dns: true', 'dns: false').replace('runtime: containerd', docker)));
    expect(plan.stages.find((s) => s.id === 'verify')?.entries[0]?.params.checks).not.toContain('dns');
    const runtimes = entries(plan).filter((e) => e.step.startsWith('runtime.')).map((e) => e.step);
    expect(new Set(runtimes)).toEqual(new Set(['runtime.docker']));
    expect(entries(plan).find((e) => e.step === 'kubeadm.init')?.params.runtime).toBe('docker');
  });
});

describe('stepParams', () => {
  it('names the step and field a built parameter set breaks', () => {
    expect(() => stepParams('lb.keepalived', { vip: '192.0.2.100', state: 'LEADER', priority: 101, authPass: 'x' })).toThrow(PlanParamsError);
    expect(() => stepParams('lb.keepalived', { vip: '192.0.2.100', state: 'LEADER', priority: 101, authPass: 'x' })).toThrow(/lb.keepalived refuses \(state:/);
    expect(() => stepParams('no.such-step', {})).toThrow(/no such step/);
  });
});

describe('upStageOrder', () => {
  it('is the stage order of the plan itself, within UP_STAGE_IDS order, and the same from the file', async () => {
    const { UP_STAGE_IDS } = await import('./types');
    const { upStageOrder, upStageOrderOfFile } = await import('./build');
    const { seedSpec } = await import('../../test/seed-spec');
    const order = upStageOrder(seedSpec());
    expect(order).toEqual(['attach', 'preflight', 'prepare', 'endpoint', 'init', 'pod-network', 'join-control-planes', 'join-workers', 'verify', 'drill']);
    expect([...order].sort((a, b) => UP_STAGE_IDS.indexOf(a as never) - UP_STAGE_IDS.indexOf(b as never))).toEqual(order);
    expect(upStageOrderOfFile(new URL('../../../../examples/seed-ha.yaml', import.meta.url).pathname)).toEqual(order);
    expect(upStageOrder(seedSpec((text) => text.replace('enabled: true\n    target: master1', 'enabled: false\n    target: master1')))).not.toContain('drill');
  });
});
