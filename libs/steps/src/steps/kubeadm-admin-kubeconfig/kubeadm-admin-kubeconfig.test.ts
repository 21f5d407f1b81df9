import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { Secret } from '../../secret';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { kubeadmAdminKubeconfig } from './kubeadm-admin-kubeconfig';
import { kubeadmAdminKubeconfigParams } from './params';

const admin = 'apiVersion: v1\nclusters:\n- cluster:\n    server: https://192.0.2.100:6443\nusers:\n- user:\n    client-key-data: UFJJVkFURQ==\n';
const params = kubeadmAdminKubeconfigParams.parse({});

describe('kubeadm.admin-kubeconfig', () => {
  it.each([debianFacts, rhelFacts])('first run on $os.id copies admin.conf 0600 as a Secret (the key never prints)', async (facts) => {
    const checked = await kubeadmAdminKubeconfig.check(fakeHost(facts, { '/etc/kubernetes/admin.conf': admin }), params, {});
    const plan = kubeadmAdminKubeconfig.plan(checked, params, {});
    expect(plan.actions.map(describeAction)).toEqual(['write /root/.kube/config  # root has no kubeconfig at /root/.kube/config']);
    const write = plan.actions[0];
    expect(write?.kind === 'write' && write.mode).toBe(0o600);
    expect(write?.kind === 'write' && write.content).toBeInstanceOf(Secret);
    expect(JSON.stringify(plan)).not.toContain('UFJJVkFURQ');
  });

  it('second run is a noop; an edited copy is rewritten', async () => {
    const same = await kubeadmAdminKubeconfig.check(fakeHost(debianFacts, { '/etc/kubernetes/admin.conf': admin, '/root/.kube/config': admin }), params, {});
    expect(kubeadmAdminKubeconfig.plan(same, params, {}).noop).toBe('/root/.kube/config already equals /etc/kubernetes/admin.conf');
    expect(await kubeadmAdminKubeconfig.outputs!(fakeHost(debianFacts), params, same)).toEqual({ path: '/root/.kube/config', server: 'https://192.0.2.100:6443' });
    const edited = await kubeadmAdminKubeconfig.check(fakeHost(debianFacts, { '/etc/kubernetes/admin.conf': admin, '/root/.kube/config': 'old' }), params, {});
    expect(kubeadmAdminKubeconfig.plan(edited, params, {}).actions.map(describeAction)).toEqual(['write /root/.kube/config  # /root/.kube/config differs from /etc/kubernetes/admin.conf']);
  });

  it('fails with a fix off a control plane', async () => {
    await expect(kubeadmAdminKubeconfig.check(fakeHost(debianFacts), params, {})).rejects.toThrow(/admin.conf does not exist.*Fix/);
  });
});
