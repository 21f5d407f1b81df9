import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost, type ProbeAnswers } from '../common/fake-host';
import { kubeDrain } from './kube-drain';
import { kubeNodeDelete } from './kube-node-delete';
import { kubeUncordon } from './kube-uncordon';
import { kubeDrainParams, kubeNodeDeleteParams, kubeUncordonParams } from './params';

const K = '/etc/kubernetes/admin.conf';
const files = { [K]: 'server: https://192.0.2.100:6443\n' };
const getNode = `kubectl --kubeconfig ${K} get node worker2 -o json`;
const getPods = `kubectl --kubeconfig ${K} get pods --all-namespaces -o json`;
const nodeJson = (unschedulable: boolean) => JSON.stringify({ kind: 'Node', metadata: { name: 'worker2' }, spec: unschedulable ? { unschedulable: true } : {} });
const notFound = { exitCode: 1, stderr: 'Error from server (NotFound): nodes "worker2" not found\n' };
const pod = (namespace: string, name: string, nodeName: string, extra: Record<string, unknown> = {}) => ({ metadata: { namespace, name, ...extra }, spec: { nodeName } });
const podsJson = JSON.stringify({
  kind: 'List',
  items: [
    pod('default', 'web-1', 'worker2', { ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d', controller: true }] }),
    pod('kube-flannel', 'kube-flannel-ds-x', 'worker2', { ownerReferences: [{ kind: 'DaemonSet', name: 'kube-flannel-ds', controller: true }] }),
    pod('kube-system', 'etcd-worker2', 'worker2', { annotations: { 'kubernetes.io/config.mirror': 'abc', 'kubernetes.io/config.source': 'file' } }),
    pod('default', 'kumi-dnsutils', 'worker2', { labels: { 'app.kubernetes.io/managed-by': 'kumi' } }),
    pod('default', 'debug', 'worker2'),
    pod('default', 'web-2', 'worker1', { ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d', controller: true }] }),
  ],
});
const onlyDaemons = JSON.stringify({ kind: 'List', items: [pod('kube-flannel', 'kube-flannel-ds-x', 'worker2', { ownerReferences: [{ kind: 'DaemonSet', controller: true }] })] });
const host = (probes: ProbeAnswers, withKubeconfig = true) => fakeHost(debianFacts, withKubeconfig ? files : {}, probes);
const commands = (plan: ReturnType<typeof kubeDrain.plan>) => plan.actions.map((action) => describeAction(action).split('  #')[0]);

describe('kube.drain', () => {
  const params = kubeDrainParams.parse({ node: 'worker2' });

  it("deletes kumi's own bare probe pod, then drains with kubectl drain and the agreed defaults (mirror and DaemonSet pods excluded; a user's bare pod is left to drain to refuse)", async () => {
    const facts = await kubeDrain.check(host({ [getNode]: nodeJson(false), [getPods]: podsJson }), params, {});
    expect(facts).toEqual({ exists: true, unschedulable: false, evictable: ['default/web-1', 'default/kumi-dnsutils', 'default/debug'], kumiPods: ['default/kumi-dnsutils'] });
    expect(commands(kubeDrain.plan(facts, params, {}))).toEqual([
      `run kubectl --kubeconfig ${K} -n default delete pod kumi-dnsutils --ignore-not-found --wait=true`,
      `run kubectl --kubeconfig ${K} drain worker2 --ignore-daemonsets --delete-emptydir-data --timeout=5m`,
    ]);
  });

  it('passes --force, a custom timeout and drops the default flags when asked', () => {
    const custom = kubeDrainParams.parse({ node: 'worker2', timeout: '90s', force: true, ignoreDaemonSets: false, deleteEmptyDirData: false });
    expect(commands(kubeDrain.plan({ exists: true, unschedulable: false, evictable: [], kumiPods: [] }, custom, {}))).toEqual([`run kubectl --kubeconfig ${K} drain worker2 --force --timeout=90s`]);
  });

  it('counts DaemonSet pods as evictable without --ignore-daemonsets, so kubectl says why it refuses', async () => {
    const strict = kubeDrainParams.parse({ node: 'worker2', ignoreDaemonSets: false });
    const facts = await kubeDrain.check(host({ [getNode]: nodeJson(true), [getPods]: onlyDaemons }), strict, {});
    expect(facts.evictable).toEqual(['kube-flannel/kube-flannel-ds-x']);
    expect(kubeDrain.plan(facts, strict, {}).actions).toHaveLength(1);
  });

  it('is a noop on a cordoned node that runs only DaemonSet pods', async () => {
    const facts = await kubeDrain.check(host({ [getNode]: nodeJson(true), [getPods]: onlyDaemons }), params, {});
    expect(kubeDrain.plan(facts, params, {}).noop).toBe('node worker2 is cordoned and runs no pod that drain would evict');
  });

  it('says clearly that a node that no longer exists needs no drain', async () => {
    const checked = host({ [getNode]: notFound });
    const facts = await kubeDrain.check(checked, params, {});
    expect(kubeDrain.plan(facts, params, {}).noop).toBe('node worker2 does not exist in the cluster (already removed): nothing to drain');
    expect(checked.probed).toHaveLength(1);
  });

  it('fails the check with the fix when the API does not answer or the kubeconfig is missing', async () => {
    await expect(kubeDrain.check(host({ [getNode]: { exitCode: 1, stderr: 'The connection to the server 192.0.2.100:6443 was refused' } }), params, {})).rejects.toThrow(
      /kubectl could not read node worker2 \(exit 1\): The connection .* refused\. Fix: check that the API server answers/,
    );
    await expect(kubeDrain.check(host({}, false), params, {})).rejects.toThrow(/has no \/etc\/kubernetes\/admin.conf.*Fix: run node steps on a control plane/);
  });

  it('refuses a timeout that is not a Go duration and a node name the API would refuse', () => {
    expect(kubeDrainParams.safeParse({ node: 'worker2', timeout: '5 minutes' }).success).toBe(false);
    expect(kubeDrainParams.safeParse({ node: 'Worker_2' }).success).toBe(false);
  });
});

describe('kube.uncordon', () => {
  const params = kubeUncordonParams.parse({ node: 'worker2' });
  it('uncordons a cordoned node and is a noop on a schedulable one', async () => {
    const cordoned = await kubeUncordon.check(host({ [getNode]: nodeJson(true) }), params, {});
    expect(commands(kubeUncordon.plan(cordoned, params, {}))).toEqual([`run kubectl --kubeconfig ${K} uncordon worker2`]);
    const free = await kubeUncordon.check(host({ [getNode]: nodeJson(false) }), params, {});
    expect(kubeUncordon.plan(free, params, {}).noop).toBe('node worker2 is already schedulable');
  });

  it('fails with the fix when the node does not exist', async () => {
    await expect(kubeUncordon.check(host({ [getNode]: notFound }), params, {})).rejects.toThrow(/node worker2 does not exist in the cluster.*Fix: join the host first/);
  });
});

describe('kube.node-delete', () => {
  const params = kubeNodeDeleteParams.parse({ node: 'worker2' });
  it('deletes a present node and is a noop when it is gone', async () => {
    const present = await kubeNodeDelete.check(host({ [getNode]: nodeJson(true) }), params, {});
    expect(commands(kubeNodeDelete.plan(present, params, {}))).toEqual([`run kubectl --kubeconfig ${K} delete node worker2`]);
    const gone = await kubeNodeDelete.check(host({ [getNode]: notFound }), params, {});
    expect(kubeNodeDelete.plan(gone, params, {}).noop).toBe('node worker2 does not exist in the cluster (already deleted)');
  });
});
