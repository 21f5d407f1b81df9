import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { kubeadmClusterVersion, kubeadmClusterVersionParams } from './kubeadm-cluster-version';
import { kubeadmUpgradeApply } from './kubeadm-upgrade-apply';
import { kubeadmUpgradeNode } from './kubeadm-upgrade-node';
import { kubeadmUpgradePlan } from './kubeadm-upgrade-plan';
import { kubeadmUpgradeParams, kubeadmUpgradeNodeParams } from './params';

const params = kubeadmUpgradeParams.parse({ version: '1.33.2' });
const nodeParams = kubeadmUpgradeNodeParams.parse({ version: '1.33.2' });
const kubectl = (kubeconfig: string, name: string) => `kubectl --kubeconfig ${kubeconfig} -n kube-system get configmap ${name} -o json`;
const kubeadmConfig = (version: string) => JSON.stringify({ data: { ClusterConfiguration: `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v${version}\n` } });
const kubeletConfig = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\nfailSwapOn: true\n';
const manifest = (component: string, version: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${component}\nspec:\n  containers:\n  - image: registry.k8s.io/${component}:v${version}\n    name: ${component}\n`;
const lines = (plan: { actions: Parameters<typeof describeAction>[0][] }) => plan.actions.map((action) => describeAction(action).split('  #')[0]);

function controlPlane(clusterVersion: string, kubeadmVersion: string, manifestVersion = clusterVersion) {
  return fakeHost(
    debianFacts,
    {
      '/etc/kubernetes/admin.conf': 'server: https://192.0.2.100:6443\n',
      '/etc/kubernetes/kubelet.conf': 'server: https://192.0.2.21:6443\n',
      '/etc/kubernetes/manifests/kube-apiserver.yaml': manifest('kube-apiserver', manifestVersion),
      '/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\nfailSwapOn: true\ncgroupDriver: systemd\n',
    },
    {
      'kubeadm version -o short': `v${kubeadmVersion}\n`,
      [kubectl('/etc/kubernetes/admin.conf', 'kubeadm-config')]: kubeadmConfig(clusterVersion),
      [kubectl('/etc/kubernetes/admin.conf', 'kubelet-config')]: JSON.stringify({ data: { kubelet: kubeletConfig } }),
    },
  );
}

describe('kubeadm.upgrade-plan', () => {
  it('runs kubeadm upgrade plan with the version (no internet lookup) while the cluster is behind', async () => {
    const facts = await kubeadmUpgradePlan.check(controlPlane('1.32.2', '1.33.2'), params, {});
    expect(facts).toEqual({ clusterVersion: '1.32.2', kubeadmVersion: '1.33.2' });
    expect(lines(kubeadmUpgradePlan.plan(facts, params, {}))).toEqual(['run kubeadm upgrade plan v1.33.2 --kubeconfig /etc/kubernetes/admin.conf']);
  });

  it('is a noop once the cluster is at the version', async () => {
    const plan = kubeadmUpgradePlan.plan(await kubeadmUpgradePlan.check(controlPlane('1.33.2', '1.33.2'), params, {}), params, {});
    expect(plan).toEqual({ actions: [], noop: 'the cluster is at v1.33.2 already (kubeadm-config)' });
  });

  it('fails with kubectl\'s reason when the cluster cannot be read', async () => {
    const unreachable = fakeHost(debianFacts, { '/etc/kubernetes/admin.conf': 'x' }, { 'kubeadm version -o short': 'v1.33.2', [kubectl('/etc/kubernetes/admin.conf', 'kubeadm-config')]: { exitCode: 1, stderr: 'The connection to the server 192.0.2.100:6443 was refused' } });
    await expect(kubeadmUpgradePlan.check(unreachable, params, {})).rejects.toThrow(/could not read ConfigMap kube-system\/kubeadm-config .*connection to the server 192.0.2.100:6443 was refused/);
  });
});

describe('kubeadm.upgrade-apply', () => {
  it('applies with --yes when the cluster is behind and kubeadm is at the target', async () => {
    const facts = await kubeadmUpgradeApply.check(controlPlane('1.32.2', '1.33.2'), params, {});
    expect(lines(kubeadmUpgradeApply.plan(facts, params, {}))).toEqual(['run kubeadm upgrade apply v1.33.2 --yes --kubeconfig /etc/kubernetes/admin.conf']);
  });

  it('refuses with the fix while kubeadm is still the old one', async () => {
    await expect(kubeadmUpgradeApply.check(controlPlane('1.32.2', '1.32.2'), params, {})).rejects.toThrow(/kubeadm on .* is 1.32.2.*Fix: upgrade the kubeadm package first/);
  });

  it('reads the version it reached from kubeadm-config', async () => {
    const host = controlPlane('1.33.2', '1.33.2');
    const facts = await kubeadmUpgradeApply.check(host, params, {});
    expect(kubeadmUpgradeApply.plan(facts, params, {}).noop).toBe('the cluster is at v1.33.2 already (kubeadm-config)');
    expect(await kubeadmUpgradeApply.outputs?.(host, params, facts)).toEqual({ kubernetesVersion: '1.33.2' });
  });
});

describe('kubeadm.upgrade-node', () => {
  it('a control plane with the old manifest runs kubeadm upgrade node', async () => {
    const facts = await kubeadmUpgradeNode.check(controlPlane('1.33.2', '1.33.2', '1.32.2'), nodeParams, {});
    expect(facts.manifests).toEqual({ '/etc/kubernetes/manifests/kube-apiserver.yaml': '1.32.2' });
    expect(facts.kubeletConfigCurrent).toBe(true);
    expect(lines(kubeadmUpgradeNode.plan(facts, nodeParams, {}))).toEqual(['run kubeadm upgrade node']);
  });

  it('is a noop when the manifests name the version and config.yaml holds kubelet-config (key order aside)', async () => {
    const plan = kubeadmUpgradeNode.plan(await kubeadmUpgradeNode.check(controlPlane('1.33.2', '1.33.2'), nodeParams, {}), nodeParams, {});
    expect(plan.noop).toMatch(/control-plane manifests at v1.33.2 and \/var\/lib\/kubelet\/config.yaml matches/);
  });

  it('a worker reads the cluster with the kubelet credentials and compares only its kubelet config', async () => {
    const worker = fakeHost(
      debianFacts,
      { '/etc/kubernetes/kubelet.conf': 'server: https://192.0.2.100:6443\n', '/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\nfailSwapOn: false\n' },
      {
        'kubeadm version -o short': 'v1.33.2',
        [kubectl('/etc/kubernetes/kubelet.conf', 'kubeadm-config')]: kubeadmConfig('1.33.2'),
        [kubectl('/etc/kubernetes/kubelet.conf', 'kubelet-config')]: JSON.stringify({ data: { kubelet: kubeletConfig } }),
      },
    );
    const facts = await kubeadmUpgradeNode.check(worker, nodeParams, {});
    expect(facts).toEqual({ manifests: {}, kubeletConfigCurrent: false });
    expect(lines(kubeadmUpgradeNode.plan(facts, nodeParams, {}))).toEqual(['run kubeadm upgrade node']);
  });

  it('refuses before kubeadm upgrade apply ran, with the fix', async () => {
    await expect(kubeadmUpgradeNode.check(controlPlane('1.32.2', '1.33.2'), nodeParams, {})).rejects.toThrow(/cluster is at v1.32.2 .*Fix: run kubeadm upgrade apply v1.33.2 on the first control plane first/);
  });
});

describe('kubeadm.cluster-version', () => {
  const versionParams = kubeadmClusterVersionParams.parse({});

  it("reads kubeadm-config's kubernetesVersion on a control plane and outputs it, changing nothing", async () => {
    const host = controlPlane('1.32.2', '1.33.2');
    const facts = await kubeadmClusterVersion.check(host, versionParams, {});
    expect(kubeadmClusterVersion.plan(facts, versionParams, {})).toEqual({ actions: [], noop: 'read-only: the cluster runs Kubernetes v1.32.2 (kubeadm-config)' });
    expect(await kubeadmClusterVersion.outputs?.(host, versionParams, facts)).toEqual({ kubernetesVersion: '1.32.2' });
  });

  it('refuses a host that is no control plane yet', async () => {
    const fresh = fakeHost(debianFacts, {}, { 'kubeadm version -o short': 'v1.32.2' });
    await expect(kubeadmClusterVersion.check(fresh, versionParams, {})).rejects.toThrow(/is not an initialised control plane/);
  });
});
