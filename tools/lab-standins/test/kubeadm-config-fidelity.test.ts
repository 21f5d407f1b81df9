import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderInitConfig, renderJoinConfig } from '@kumi/steps';
import { parseArgs } from '../src/common/flags';
import { loadKubeadmConfig } from '../src/kubeadm/config';
import { CONTROL_PLANE_KUBELET_LOCAL_MODE, featureEnabled, kubeletServerFor } from '../src/kubeadm/features';
import { checkMixedArguments } from '../src/kubeadm/init';
import { kubeadmMain } from '../src/kubeadm/main';
import { resolveKubernetesVersion } from '../src/kubeadm/stable-version';

// kubeadm's config handling as its source has it (each case failed on the stand-in before):
// strict decoding, API versions per kubeadm release, feature gates, flags refused next to
// --config, and the offline stable-1 lookup.

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-kubeadm-config-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.KUMI_STANDIN_KUBEADM_VERSION;
});

const file = (name: string, text: string): string => {
  const at = path.join(dir, name);
  fs.writeFileSync(at, text);
  return at;
};

const INIT_V4 = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 192.0.2.11
  bindPort: 6443
nodeRegistration:
  name: master1
`;
const CLUSTER_V4 = `---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.33.2
controlPlaneEndpoint: 192.0.2.100:6443
`;

/** Runs kubeadm in-process as kubeadm `version` (no API needed: `config images list`). */
async function kubeadm(version: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  process.env.KUMI_STANDIN_KUBEADM_VERSION = version;
  let out = '';
  let err = '';
  const code = await kubeadmMain(argv, { host: { root: dir, hostname: 'master1' }, now: () => new Date(), out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('strict decoding (cmd/kubeadm/app/util/config/strict.go)', () => {
  it('an unknown field is a warning on stderr naming its path; the command goes on', async () => {
    const config = file('unknown.yaml', INIT_V4.replace('  name: master1\n', '  name: master1\n  kubeletExtraArg: []\n') + CLUSTER_V4.replace('kubernetesVersion', 'podSubnet: 10.244.0.0/16\nkubernetesVersion'));
    const res = await kubeadm('v1.33.2', ['config', 'images', 'list', '--config', config]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('registry.k8s.io/kube-apiserver:v1.33.2\n');
    expect(res.err).toMatch(/^W\d{4} error unmarshaling configuration schema\.GroupVersionKind\{Group:"kubeadm\.k8s\.io", Version:"v1beta4", Kind:"InitConfiguration"\}: strict decoding error: unknown field "nodeRegistration\.kubeletExtraArg"$/m);
    expect(res.err).toContain('Kind:"ClusterConfiguration"}: strict decoding error: unknown field "podSubnet"');
  });

  it('a value of the wrong type is an error (encoding/json UnmarshalTypeError)', async () => {
    const quoted = file('type.yaml', INIT_V4.replace('bindPort: 6443', 'bindPort: "6443"') + CLUSTER_V4);
    const res = await kubeadm('v1.33.2', ['config', 'images', 'list', '--config', quoted]);
    expect(res.code).toBe(1);
    expect(res.err).toBe('json: cannot unmarshal string into Go struct field APIEndpoint.localAPIEndpoint.bindPort of type int32\nTo see the stack trace of this error execute with --v=5 or higher\n');
    expect(() => loadKubeadmConfig(file('n.yaml', `${INIT_V4}${CLUSTER_V4.replace('v1.33.2', '1.33')}`), 'master1', 'v1.33.2')).toThrow('json: cannot unmarshal number into Go struct field ClusterConfiguration.kubernetesVersion of type string');
    expect(() => loadKubeadmConfig(file('a.yaml', `${INIT_V4}  kubeletExtraArgs:\n    node-ip: 192.0.2.11\n${CLUSTER_V4}`), 'master1', 'v1.33.2')).toThrow('json: cannot unmarshal object into Go struct field NodeRegistrationOptions.nodeRegistration.kubeletExtraArgs of type []v1beta4.Arg');
  });

  it('v1beta3 takes kubeletExtraArgs as a map and has discovery.timeout; v1beta4 moved it to timeouts.discovery', () => {
    const join3 = `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: 192.0.2.100:6443
    token: abcdef.0123456789abcdef
    unsafeSkipCAVerification: true
  timeout: 3s
nodeRegistration:
  kubeletExtraArgs:
    node-ip: 192.0.2.31
`;
    expect(loadKubeadmConfig(file('j3.yaml', join3), 'w1', 'v1.30.6').warnings).toEqual([]);
    const asV4 = loadKubeadmConfig(file('j4.yaml', join3.replace('v1beta3', 'v1beta4').replace(/ {2}kubeletExtraArgs:\n.*\n/, '')), 'w1', 'v1.33.2');
    expect(asV4.warnings.some((w) => w.endsWith('strict decoding error: unknown field "discovery.timeout"'))).toBe(true);
  });
});

describe('API versions per kubeadm release (cmd/kubeadm/app/util/config/common.go)', () => {
  it('kubeadm v1.30 has no v1beta4', () => {
    expect(() => loadKubeadmConfig(file('v4.yaml', INIT_V4), 'master1', 'v1.30.6')).toThrow('no kind "InitConfiguration" is registered for version "kubeadm.k8s.io/v1beta4" in scheme "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31"');
    expect(loadKubeadmConfig(file('v4b.yaml', INIT_V4 + CLUSTER_V4), 'master1', 'v1.31.0').warnings).toEqual([]);
  });

  it('v1beta3 is read by every supported release, with a deprecation warning from v1.31', () => {
    const v3 = file('v3.yaml', `${INIT_V4}${CLUSTER_V4}`.replaceAll('v1beta4', 'v1beta3'));
    expect(loadKubeadmConfig(v3, 'master1', 'v1.30.6').warnings).toEqual([]);
    const warned = loadKubeadmConfig(v3, 'master1', 'v1.33.2').warnings;
    expect(warned).toHaveLength(2);
    expect(warned[0]).toContain('your configuration file uses a deprecated API spec: "kubeadm.k8s.io/v1beta3" (kind: "InitConfiguration")');
  });
});

describe('ControlPlaneKubeletLocalMode (cmd/kubeadm/app/features/features.go)', () => {
  const local = { address: '192.0.2.11', bindPort: 6443 };
  it('is off in v1.31-v1.32 unless the gate is set, on from v1.33 unless it is unset', () => {
    expect(kubeletServerFor({}, 'v1.32.4', local, '192.0.2.100:6443')).toBe('https://192.0.2.100:6443');
    expect(kubeletServerFor({ [CONTROL_PLANE_KUBELET_LOCAL_MODE]: true }, 'v1.31.0', local, '192.0.2.100:6443')).toBe('https://192.0.2.11:6443');
    expect(kubeletServerFor({}, 'v1.33.0', local, '192.0.2.100:6443')).toBe('https://192.0.2.11:6443');
    expect(kubeletServerFor({ [CONTROL_PLANE_KUBELET_LOCAL_MODE]: false }, 'v1.34.2', local, '192.0.2.100:6443')).toBe('https://192.0.2.100:6443');
    expect(featureEnabled({}, CONTROL_PLANE_KUBELET_LOCAL_MODE, 'v1.30.6')).toBe(false);
  });

  it('featureGates are read from the ClusterConfiguration; a gate this kubeadm does not know is an error', () => {
    const gated = (gates: string): string => file(`g${gates.length}.yaml`, `${INIT_V4}${CLUSTER_V4}featureGates:\n${gates}`);
    expect(loadKubeadmConfig(gated('  ControlPlaneKubeletLocalMode: true\n'), 'master1', 'v1.31.0').cluster.featureGates).toEqual({ ControlPlaneKubeletLocalMode: true });
    expect(() => loadKubeadmConfig(file('g3.yaml', `${INIT_V4}${CLUSTER_V4}featureGates:\n  ControlPlaneKubeletLocalMode: true\n`.replaceAll('v1beta4', 'v1beta3')), 'master1', 'v1.30.6')).toThrow(
      'featureGates: Invalid value: map[string]bool{"ControlPlaneKubeletLocalMode":true}: ControlPlaneKubeletLocalMode is not a valid feature name.',
    );
    expect(() => loadKubeadmConfig(gated('  NoSuchGate: true\n'), 'master1', 'v1.33.2')).toThrow('NoSuchGate is not a valid feature name.');
  });
});

describe('flags next to --config (validation.go ValidateMixedArguments / isAllowedFlag)', () => {
  const mixed = (argv: string[]): void => checkMixedArguments(parseArgs(argv, new Set(['upload-certs', 'skip-token-print', 'control-plane'])));
  it('refuses --certificate-key, --cri-socket and --token with --config, naming them sorted', () => {
    expect(() => mixed(['--config', 'x.yaml', '--token', 't', '--certificate-key', 'k', '--cri-socket', 's'])).toThrow("can not mix '--config' with arguments [certificate-key cri-socket token]");
    expect(() => mixed(['--config', 'x.yaml', '--patches', '/p'])).toThrow('[patches]');
  });
  it('allows the listed flags and every --skip-* flag', () => {
    expect(() => mixed(['--config', 'x.yaml', '--upload-certs', '--skip-token-print', '--skip-phases', 'addon/kube-proxy', '--ignore-preflight-errors', 'NumCPU', '--kubeconfig', '/etc/kubernetes/admin.conf', '--node-name', 'n', '--dry-run', 'true', '--v', '5'])).not.toThrow();
  });
});

describe('stable-1 without an uplink (cmd/kubeadm/app/util/version.go)', () => {
  it('an InitConfiguration alone: kubeadm looks stable-1 up, warns and uses its own version', () => {
    const config = loadKubeadmConfig(file('init-only.yaml', INIT_V4), 'master1', 'v1.33.2');
    expect(config.cluster.kubernetesVersion).toBe('v1.33.2');
    expect(config.warnings).toHaveLength(2);
    expect(config.warnings[0]).toMatch(/^W\d{4} could not fetch a Kubernetes version from the internet: unable to get URL "https:\/\/dl\.k8s\.io\/release\/stable-1\.txt": /);
    expect(config.warnings[1]).toMatch(/^W\d{4} falling back to the local client version: v1\.33\.2$/);
  });
  it('an exact version is used as given (with the "v")', () => {
    expect(resolveKubernetesVersion('1.32.4', 'v1.33.2')).toEqual({ version: 'v1.32.4', warnings: [] });
    expect(loadKubeadmConfig(file('both.yaml', INIT_V4 + CLUSTER_V4), 'master1', 'v1.34.2').warnings).toEqual([]);
  });
});

describe("kumi's own kubeadm configs (libs/steps/src/render/kubeadm-config.ts)", () => {
  it('decode without a warning on the kubeadm of their version (v1beta3 for v1.30, v1beta4 from v1.31)', () => {
    for (const version of ['1.30.6', '1.33.2', '1.34.2']) {
      const init = renderInitConfig({ kubernetesVersion: version, controlPlaneEndpoint: '192.0.2.100:6443', advertiseAddress: '192.0.2.21', bindPort: 6443, nodeName: 'master1', criSocket: 'unix:///var/run/containerd/containerd.sock', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', clusterName: 'kumi', certSans: ['192.0.2.100'], bootstrapToken: { token: 'abcdef.0123456789abcdef', ttl: '15m0s', description: 'kumi' }, certificateKey: '0123456789abcdef'.repeat(4) });
      const join = renderJoinConfig({ kubernetesVersion: version, apiServerEndpoint: '192.0.2.100:6443', token: 'abcdef.0123456789abcdef', caCertHashes: [`sha256:${'0'.repeat(64)}`], nodeName: 'master2', criSocket: 'unix:///var/run/containerd/containerd.sock', controlPlane: { advertiseAddress: '192.0.2.22', bindPort: 6443, certificateKey: '0123456789abcdef'.repeat(4) } });
      expect(loadKubeadmConfig(file(`kumi-init-${version}.yaml`, init), 'master1', `v${version}`).warnings, version).toEqual([]);
      expect(loadKubeadmConfig(file(`kumi-join-${version}.yaml`, join), 'master2', `v${version}`).warnings, version).toEqual([]);
    }
  });
});
