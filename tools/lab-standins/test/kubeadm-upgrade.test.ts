import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../src/common/api-client';
import { parseArgs } from '../src/common/flags';
import type { KubeObject } from '../src/common/kube-object';
import type { KubeadmContext } from '../src/kubeadm/cli-context';
import { kubeadmMain } from '../src/kubeadm/main';
import { tabwrite, versionSkewErrors } from '../src/kubeadm/upgrade-versions';
import { kubeletGitVersion, kubeletVersionLine } from '../src/kubelet/version';
import { MemoryKubeApi } from './memory-kube-api';

// kubeadm upgrade plan/apply/node against an in-memory API: the output kumi's steps see and
// the refusals of kubeadm's version skew policy (cmd/kubeadm/app/phases/upgrade/policy.go).

/** The in-memory API plus the /version its API server answers. */
class VersionedApi extends MemoryKubeApi {
  constructor(public serverVersion: string) {
    super();
    (this as { client: ApiClient }).client = { request: (method: string, url: string) => Promise.resolve(url === '/version' ? { status: 200, body: { gitVersion: this.serverVersion } } : { status: 404, body: {} }) } as unknown as ApiClient;
  }
}

const node = (name: string, kubelet: string, controlPlane: boolean, ready = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : ({} as Record<string, string>) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], nodeInfo: { kubeletVersion: kubelet } },
});

let root: string;
let api: VersionedApi;
let out: string;
let err: string;

async function kubeadm(argv: string[], kubeadmVersion: string): Promise<number> {
  out = '';
  err = '';
  process.env.KUMI_STANDIN_KUBEADM_VERSION = kubeadmVersion;
  const ctx: KubeadmContext = { host: { root, hostname: 'master1' }, now: () => new Date('2026-12-06T10:00:00Z'), out: (t) => void (out += t), err: (t) => void (err += t), connect: () => api };
  return kubeadmMain(argv, ctx);
}

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-kubeadm-upgrade-'));
  fs.mkdirSync(path.join(root, 'etc/kubernetes'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'unused: the test connects in memory\n');
  api = new VersionedApi('v1.32.2');
  await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeadm-config', namespace: 'kube-system' }, data: { ClusterConfiguration: 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.32.2\n' } });
  await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubelet-config', namespace: 'kube-system' }, data: { kubelet: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n' } });
  await api.create(node('master1', 'v1.32.2', true));
  await api.create(node('worker1', 'v1.32.2', false));
});

afterEach(() => {
  delete process.env.KUMI_STANDIN_KUBEADM_VERSION;
  fs.rmSync(root, { recursive: true, force: true });
});

describe('kubeadm upgrade plan', () => {
  it('prints the versions, the kubelet table, the control-plane table and the apply command (plan.go printAvailableUpgrade)', async () => {
    expect(await kubeadm(['upgrade', 'plan', 'v1.33.2'], 'v1.33.2')).toBe(0);
    expect(out).toContain('[upgrade/versions] Cluster version: v1.32.2\n[upgrade/versions] kubeadm version: v1.33.2\n[upgrade/versions] Target version: v1.33.2\n[upgrade/versions] Latest version in the v1.32 series: v1.33.2\n');
    expect(out).toContain(
      "Components that must be upgraded manually after you have upgraded the control plane with 'kubeadm upgrade apply':\nCOMPONENT   NODE      CURRENT   TARGET\nkubelet     master1   v1.32.2   v1.33.2\nkubelet     worker1   v1.32.2   v1.33.2\n\nUpgrade to the latest version in the v1.32 series:\n",
    );
    expect(out).toContain('kube-apiserver            master1   v1.32.2   v1.33.2\n');
    expect(out).toContain('CoreDNS                             v1.11.3   v1.12.0\n');
    expect(out).toContain('You can now apply the upgrade by executing the following command:\n\n\tkubeadm upgrade apply v1.33.2\n');
  });

  it('says nothing more when the cluster is at the target', async () => {
    api.serverVersion = 'v1.33.2';
    expect(await kubeadm(['upgrade', 'plan', 'v1.33.2'], 'v1.33.2')).toBe(0);
    expect(out).not.toContain('COMPONENT');
  });

  it('fails the health check while a control plane is NotReady', async () => {
    await api.apply(node('master1', 'v1.32.2', true, false));
    expect(await kubeadm(['upgrade', 'plan', 'v1.33.2'], 'v1.33.2')).toBe(1);
    expect(err).toContain('[upgrade/health] FATAL: [preflight] Some fatal errors occurred:\n\t[ERROR ControlPlaneNodesReady]: there are NotReady control-planes in the cluster: [master1]');
  });
});

describe('kubeadm upgrade apply: the skew policy refuses before anything changes', () => {
  it('two minors at once is fatal', async () => {
    expect(await kubeadm(['upgrade', 'apply', 'v1.34.2', '--yes'], 'v1.34.2')).toBe(1);
    expect(err).toContain('[upgrade/version] FATAL: the --version argument is invalid due to these fatal errors:\n\n\t- Specified version to upgrade to "v1.34.2" is too high; kubeadm can upgrade only 1 minor version at a time\n\nPlease fix the misalignments highlighted above and try upgrading again');
  });

  it('an old kubeadm is fatal for a newer minor', async () => {
    expect(await kubeadm(['upgrade', 'apply', 'v1.33.2', '--yes'], 'v1.32.2')).toBe(1);
    expect(err).toContain('is at least one minor release higher than the kubeadm minor release (33 > 32). Such an upgrade is not supported');
  });

  it('without --yes and a terminal it does not proceed', async () => {
    expect(await kubeadm(['upgrade', 'apply', 'v1.33.2'], 'v1.33.2')).toBe(1);
    expect(out).toContain('[upgrade] Are you sure you want to proceed? [y/N]: ');
    expect(err).toContain("won't proceed; the user didn't answer (Y|n) in order to continue");
    expect((await api.get({ kind: 'ConfigMap', resource: 'configmaps', group: '', version: 'v1', namespaced: true }, 'kube-system', 'kubeadm-config')).data).toMatchObject({ ClusterConfiguration: expect.stringContaining('v1.32.2') });
  });

  it('a kubeadm of a newer patch only is skippable with --force', () => {
    const errors = versionSkewErrors({ cluster: 'v1.33.0', kubeadm: 'v1.33.1', kubelets: new Map([['v1.31.0', ['worker1']]]) }, 'v1.33.2');
    expect(errors.mandatory).toEqual([]);
    expect(errors.skippable).toEqual([
      'Specified version to upgrade to "v1.33.2" is higher than the kubeadm version "v1.33.1". Upgrade kubeadm first using the tool you used to install kubeadm',
      'There are kubelets in this cluster that are too old that have these versions [v1.31.0]',
    ]);
  });
});

describe('kubeadm upgrade node on a worker', () => {
  it('reads the cluster with kubelet.conf and writes config.yaml from kubelet-config', async () => {
    fs.rmSync(path.join(root, 'etc/kubernetes/admin.conf'));
    fs.writeFileSync(path.join(root, 'etc/kubernetes/kubelet.conf'), 'unused\n');
    expect(await kubeadm(['upgrade', 'node'], 'v1.33.2')).toBe(0);
    expect(out).toContain('[upgrade/control-plane] Skipping phase. Not a control plane node.');
    expect(fs.readFileSync(path.join(root, 'var/lib/kubelet/config.yaml'), 'utf8')).toBe('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n');
  });
});

describe('helpers', () => {
  it("tabwrite pads as Go's tabwriter.NewWriter(w, 10, 4, 3, ' ', 0)", () => {
    expect(tabwrite([['COMPONENT', 'NODE', 'CURRENT', 'TARGET'], ['kubelet', 'w1', 'v1.32.2', 'v1.33.2']])).toBe('COMPONENT   NODE      CURRENT   TARGET\nkubelet     w1        v1.32.2   v1.33.2\n');
  });

  it("the kubelet's version is its installed package's", () => {
    expect(kubeletGitVersion({ kubelet: { version: '1.32.2-1.1', via: 'apt' } }, {})).toBe('v1.32.2');
    expect(kubeletGitVersion({ kubelet: { version: '1.33.2-150500.1.1', via: 'dnf' } }, {})).toBe('v1.33.2');
    expect(kubeletVersionLine('v1.33.2')).toBe('Kubernetes v1.33.2\n');
  });

  it('parses --yes as a flag, not as taking the version', () => {
    expect(parseArgs(['upgrade', 'apply', 'v1.33.2', '--yes'], new Set(['yes'])).positionals).toEqual(['upgrade', 'apply', 'v1.33.2']);
  });
});
