import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { KubernetesPackagesFacts } from './kubernetes-packages';
import { kubernetesPackages } from './kubernetes-packages';
import { kubernetesPackagesParams } from './params';
import { aptSource, dnfRepo } from './repository';

const params = kubernetesPackagesParams.parse({ kubernetesVersion: '1.33.2' });
const debUrl = 'https://pkgs.k8s.io/core:/stable:/v1.33/deb/';
const rpmUrl = 'https://pkgs.k8s.io/core:/stable:/v1.33/rpm/';
const lines = (facts: KubernetesPackagesFacts): string[] =>
  kubernetesPackages.plan(facts, params, {}).actions.map((action) => describeAction(action).split('  #')[0] ?? '');
const none = { kubelet: undefined, kubeadm: undefined, kubectl: undefined, 'cri-tools': undefined };
const debDone: KubernetesPackagesFacts = {
  packages: 'apt',
  keyPresent: true,
  curl: true,
  source: aptSource(debUrl),
  versions: { kubelet: '1.33.2-1.1', kubeadm: '1.33.2-1.1', kubectl: '1.33.2-1.1', 'cri-tools': '1.33.0-1.1' },
  held: ['kubeadm', 'kubectl', 'kubelet'],
  kubeletEnabled: true,
  selinux: undefined,
  selinuxConfig: undefined,
  missingImages: [],
  pulledMarker: true,
  kubeletRestartedOn: undefined,
};
const rpmDone: KubernetesPackagesFacts = {
  ...debDone,
  packages: 'dnf',
  source: dnfRepo(rpmUrl),
  versions: { kubelet: '1.33.2-150500.1.1', kubeadm: '1.33.2-150500.1.1', kubectl: '1.33.2-150500.1.1', 'cri-tools': '1.33.0-150500.1.1' },
  held: [],
  selinux: 'Permissive',
  selinuxConfig: 'SELINUX=permissive\n',
};

describe('kubernetes.packages plan', () => {
  it('Debian first run: key, source, update, pinned install, hold, enable, pre-pull', () => {
    const fresh = { ...debDone, keyPresent: false, source: undefined, versions: none, held: [], kubeletEnabled: false, missingImages: undefined, pulledMarker: false };
    expect(lines(fresh)).toEqual([
      'run install -m 0755 -d /etc/apt/keyrings',
      `run curl -fsSL --proto =https -o /etc/apt/keyrings/kubernetes-apt-keyring.asc ${debUrl}Release.key`,
      'write /etc/apt/sources.list.d/kubernetes.list',
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages kubelet=1.33.2-* kubeadm=1.33.2-* kubectl=1.33.2-* cri-tools=1.33.*',
      'run apt-mark hold kubelet kubeadm kubectl',
      'run systemctl enable kubelet',
      'run kubeadm config images pull --kubernetes-version v1.33.2 --cri-socket unix:///var/run/containerd/containerd.sock',
      'write /var/lib/kumi/images-pulled/v1.33.2',
    ]);
  });

  it('RHEL first run: SELinux permissive, repo file with exclude, --disableexcludes install', () => {
    const fresh = { ...rpmDone, source: undefined, versions: none, kubeletEnabled: false, selinux: 'Enforcing', selinuxConfig: 'SELINUX=enforcing\nSELINUXTYPE=targeted\n', missingImages: undefined, pulledMarker: false };
    expect(lines(fresh)).toEqual([
      'run setenforce 0',
      'write /etc/selinux/config',
      'write /etc/yum.repos.d/kubernetes.repo',
      'run dnf install -y --disableexcludes=kubernetes kubelet-1.33.2 kubeadm-1.33.2 kubectl-1.33.2 cri-tools-1.33.*',
      'run systemctl enable kubelet',
      'run kubeadm config images pull --kubernetes-version v1.33.2 --cri-socket unix:///var/run/containerd/containerd.sock',
      'write /var/lib/kumi/images-pulled/v1.33.2',
    ]);
    expect(dnfRepo(rpmUrl)).toContain('exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni');
  });

  it('second run is a noop on both families', () => {
    for (const facts of [debDone, rpmDone]) {
      const plan = kubernetesPackages.plan(facts, params, {});
      expect(plan.actions).toEqual([]);
      expect(plan.noop).toMatch(/^kubelet, kubeadm and kubectl 1.33.2 \(and cri-tools 1.33\) installed from https:\/\/pkgs.k8s.io\/core:\/stable:\/v1.33\/(deb|rpm)\/, held, kubelet enabled, images pulled$/);
    }
  });

  it('a Debian host without curl gets curl and CA certificates before the key download', () => {
    expect(lines({ ...debDone, keyPresent: false, curl: false }).slice(0, 4)).toEqual([
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages curl ca-certificates',
      'run install -m 0755 -d /etc/apt/keyrings',
      `run curl -fsSL --proto =https -o /etc/apt/keyrings/kubernetes-apt-keyring.asc ${debUrl}Release.key`,
    ]);
  });

  it('drift: an unheld kubelet is held again, nothing else', () => {
    expect(lines({ ...debDone, held: ['kubeadm', 'kubectl'] })).toEqual(['run apt-mark hold kubelet kubeadm kubectl']);
  });

  it('drift: a kubectl of another patch is reinstalled at the pinned version', () => {
    expect(lines({ ...rpmDone, versions: { ...rpmDone.versions, kubectl: '1.33.1-150500.1.1' } })).toEqual([
      'run dnf install -y --disableexcludes=kubernetes kubelet-1.33.2 kubeadm-1.33.2 kubectl-1.33.2',
    ]);
  });

  // pkgs.k8s.io's kubeadm 1.32+ depends on nothing (kubernetes/release cmd/krel/templates/latest/
  // metadata.yaml), so a host that got only kubelet, kubeadm and kubectl has no crictl.
  it('kubeadm 1.33 brought no cri-tools: cri-tools of the minor is installed, nothing else moves', () => {
    expect(lines({ ...debDone, versions: { ...debDone.versions, 'cri-tools': undefined } })).toEqual([
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages cri-tools=1.33.*',
    ]);
    expect(lines({ ...rpmDone, versions: { ...rpmDone.versions, 'cri-tools': undefined } })).toEqual([
      'run dnf install -y --disableexcludes=kubernetes cri-tools-1.33.*',
    ]);
  });

  it('cri-tools of an older minor is moved to this one; a newer one is left alone (never held)', () => {
    expect(lines({ ...debDone, versions: { ...debDone.versions, 'cri-tools': '1.32.0-1.1' } })).toEqual([
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages cri-tools=1.33.*',
    ]);
    expect(lines({ ...debDone, versions: { ...debDone.versions, 'cri-tools': '1.34.0-1.1' } })).toEqual([]);
  });

  it('drift: a missing control-plane image is pulled again', () => {
    expect(lines({ ...debDone, missingImages: ['registry.k8s.io/etcd:3.5.21-0'] })).toEqual([
      'run kubeadm config images pull --kubernetes-version v1.33.2 --cri-socket unix:///var/run/containerd/containerd.sock',
      'write /var/lib/kumi/images-pulled/v1.33.2',
    ]);
  });
});

describe('kubernetes.packages upgrade (one minor, in the upgrade guide\'s order)', () => {
  const upgradeUrl = 'https://pkgs.k8s.io/core:/stable:/v1.34/deb/';
  const at133 = { ...debDone, versions: { kubelet: '1.33.2-1.1', kubeadm: '1.33.2-1.1', kubectl: '1.33.2-1.1', 'cri-tools': '1.33.0-1.1' } };
  const upgrade = (packages: string[], restartKubelet = false) => kubernetesPackagesParams.parse({ kubernetesVersion: '1.34.1', packages, prePullImages: false, restartKubelet });
  const linesFor = (facts: KubernetesPackagesFacts, p: ReturnType<typeof upgrade>) => kubernetesPackages.plan(facts, p, {}).actions.map((action) => describeAction(action).split('  #')[0] ?? '');

  it('kubeadm first: the new minor\'s repository, then unhold, install the exact version (cri-tools moves with it), hold', () => {
    expect(linesFor(at133, upgrade(['kubeadm']))).toEqual([
      'run install -m 0755 -d /etc/apt/keyrings',
      `run curl -fsSL --proto =https -o /etc/apt/keyrings/kubernetes-apt-keyring.asc ${upgradeUrl}Release.key`,
      'write /etc/apt/sources.list.d/kubernetes.list',
      'run apt-mark unhold kubeadm',
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages kubeadm=1.34.1-* cri-tools=1.34.*',
      'run apt-mark hold kubeadm',
    ]);
  });

  it('kubelet and kubectl after the drain, then daemon-reload and a kubelet restart', () => {
    const kubeadmDone = { ...at133, source: aptSource(upgradeUrl), versions: { ...at133.versions, kubeadm: '1.34.1-1.1', 'cri-tools': '1.34.0-1.1' } };
    expect(linesFor(kubeadmDone, upgrade(['kubelet', 'kubectl'], true))).toEqual([
      'run apt-mark unhold kubelet kubectl',
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages kubelet=1.34.1-* kubectl=1.34.1-*',
      'run apt-mark hold kubelet kubectl',
      'run systemctl daemon-reload',
      'run systemctl restart kubelet',
      'write /var/lib/kumi/kubelet-restarted',
    ]);
  });

  it('installed but never restarted (the run was killed in between): only the restart', () => {
    const installed = { ...at133, source: aptSource(upgradeUrl), versions: { kubelet: '1.34.1-1.1', kubeadm: '1.34.1-1.1', kubectl: '1.34.1-1.1', 'cri-tools': '1.34.0-1.1' }, kubeletRestartedOn: '1.33.2' };
    expect(linesFor(installed, upgrade(['kubelet', 'kubectl'], true))).toEqual(['run systemctl daemon-reload', 'run systemctl restart kubelet', 'write /var/lib/kumi/kubelet-restarted']);
    const plan = kubernetesPackages.plan({ ...installed, kubeletRestartedOn: '1.34.1' }, upgrade(['kubelet', 'kubectl'], true), {});
    expect(plan.noop).toBe(`kubelet and kubectl 1.34.1 (and cri-tools 1.34) installed from ${upgradeUrl}, held, kubelet enabled, kubelet restarted on it`);
  });

  it('dnf: the repo file names the new minor, the exclude line holds, --disableexcludes installs', () => {
    const rpm133 = { ...rpmDone, versions: { kubelet: '1.33.2-150500.1.1', kubeadm: '1.33.2-150500.1.1', kubectl: '1.33.2-150500.1.1', 'cri-tools': '1.33.0-150500.1.1' } };
    expect(linesFor(rpm133, upgrade(['kubeadm']))).toEqual(['write /etc/yum.repos.d/kubernetes.repo', 'run dnf install -y --disableexcludes=kubernetes kubeadm-1.34.1 cri-tools-1.34.*']);
  });

  it('an empty package list is refused', () => {
    expect(() => kubernetesPackagesParams.parse({ kubernetesVersion: '1.34.1', packages: [] })).toThrow(/name at least one/);
  });
});

describe('kubernetes.packages check', () => {
  it('reads versions, holds and images on Debian', async () => {
    // Held packages show "hi " (want hold, installed), not "ii ", in dpkg-query's Status-Abbrev.
    const host = fakeHost(debianFacts, { '/etc/apt/keyrings/kubernetes-apt-keyring.asc': 'key', '/etc/apt/sources.list.d/kubernetes.list': aptSource(debUrl), '/var/lib/kumi/images-pulled/v1.33.2': '' }, {
      ...Object.fromEntries(['kubelet', 'kubeadm', 'kubectl'].map((name) => [`dpkg-query -W -f \${db:Status-Abbrev}\${Version} ${name}`, 'hi 1.33.2-1.1'])),
      'dpkg-query -W -f ${db:Status-Abbrev}${Version} cri-tools': 'ii 1.33.0-1.1',
      'apt-mark showhold': 'kubeadm\nkubectl\nkubelet\n',
      'systemctl is-enabled kubelet': 'enabled\n',
      'curl --version': 'curl 7.88.1\n',
      'kubeadm config images list --kubernetes-version v1.33.2': 'registry.k8s.io/kube-apiserver:v1.33.2\nregistry.k8s.io/pause:3.10\n',
      'crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock images -o json': JSON.stringify({ images: [{ repoTags: ['registry.k8s.io/kube-apiserver:v1.33.2'] }] }),
    });
    const facts = await kubernetesPackages.check(host, params, {});
    expect(facts).toEqual({ ...debDone, missingImages: ['registry.k8s.io/pause:3.10'] });
  });

  it('refuses to downgrade a newer kubelet, with a fix', async () => {
    const host = fakeHost(rhelFacts, {}, { 'rpm -q --qf %{VERSION}-%{RELEASE} kubelet': '1.34.0-150500.1.1' });
    await expect(kubernetesPackages.check(host, params, {})).rejects.toThrow(/kubelet 1.34.0-150500.1.1 is newer than the wanted 1.33.2.*Fix/);
  });
});
