import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeadmTokenCreate, kubeadmUploadCerts, Secret, type HostFacts, type HostReader } from '@kumi/steps';
import { createCa } from '../src/common/pki';
import { resourceByRest } from '../src/common/resources';
import { crictlMain } from '../src/crictl/crictl';
import { decodeCertificateKey, decryptBytes } from '../src/kubeadm/certs-crypto';
import type { KubeadmContext } from '../src/kubeadm/cli-context';
import { kubeadmMain } from '../src/kubeadm/main';
import { SHARED_CERT_FILES } from '../src/kubeadm/pki-phase';
import { kubeadmGitVersion } from '../src/kubeadm/version-cmd';
import { parseKubectlArgs } from '../src/kubectl/kubectl';
import { runWait } from '../src/kubectl/wait';
import { stopRemovedStaticPods, syncMirrorPods } from '../src/kubelet/static-pods';
import { MemoryKubeApi } from './memory-kube-api';

// The exact command lines libs/steps runs (COMMANDS.md), run against the stand-ins in-process
// with an in-memory API: each case fails on the stand-ins as they were before they accepted it.

const SECRETS = resourceByRest('', 'secrets');
const PODS = resourceByRest('', 'pods');
const TOKEN = 'q1w2e3.0123456789abcdef';
const KEY = '0123456789abcdef'.repeat(4);

let root: string;
let api: MemoryKubeApi;
let out: string;
let err: string;

function context(): KubeadmContext {
  return { host: { root, hostname: 'master1' }, now: () => new Date(), out: (t) => void (out += t), err: (t) => void (err += t), connect: () => api };
}

/** Runs one kubeadm argv as a step would on the host (host paths live under the test root). */
async function kubeadm(argv: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  out = '';
  err = '';
  const mapped = argv.map((a) => (a.startsWith('/etc/kubernetes/') || a.startsWith('/tmp/') ? (a.startsWith(root) ? a : path.join(root, a)) : a));
  const exitCode = await kubeadmMain(mapped, context());
  return { exitCode, stdout: out, stderr: err };
}

/** A HostReader over the test root whose probes run the kubeadm stand-in. */
function standinHost(): HostReader {
  const facts = { hostName: 'master1', defaultIpv4: '127.0.0.1' } as unknown as HostFacts;
  return {
    root: '/',
    facts,
    readFile: (p) => Promise.resolve(fs.existsSync(path.join(root, p)) ? fs.readFileSync(path.join(root, p), 'utf8') : undefined),
    exists: (p) => Promise.resolve(fs.existsSync(path.join(root, p))),
    listDir: (p) => Promise.resolve(fs.existsSync(path.join(root, p)) ? fs.readdirSync(path.join(root, p)) : []),
    probe: (argv) => (argv[0] === 'kubeadm' ? kubeadm(argv.slice(1)) : Promise.resolve({ exitCode: 127, stdout: '', stderr: `${argv[0] ?? ''}: not found` })),
  };
}

/** Runs a plan's run action with its secret files written 0600 under the root, as the executor does. */
async function runAction(argv: readonly string[], secretFiles: Record<string, Secret> | undefined): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const expanded = argv.map((a) => a.replace(/^\{\{file:(.+)\}\}$/, (_m, name: string) => {
    const file = path.join(root, 'tmp', name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, secretFiles?.[name]?.reveal() ?? '', { mode: 0o600 });
    return file;
  }));
  return kubeadm(expanded.slice(1));
}

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-standin-lines-'));
  api = new MemoryKubeApi();
  fs.mkdirSync(path.join(root, 'etc/kubernetes/pki'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'apiVersion: v1\nkind: Config\n');
  fs.writeFileSync(path.join(root, 'etc/kubernetes/pki/ca.crt'), (await createCa('kubernetes', 'ECDSA-P256', new Date())).certPem);
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('kubeadm command lines of the steps', () => {
  it('kubeadm.token-create: `token create --config` creates the token of the file with its TTL; the step then finds it', async () => {
    const params = kubeadmTokenCreate.params.parse({ kubernetesVersion: '1.33.2', ttl: '1h' });
    const secrets = { bootstrapToken: new Secret(TOKEN) };
    const host = standinHost();
    const facts = await kubeadmTokenCreate.check(host, params, secrets);
    expect(facts.existing).toBeUndefined();
    const [action] = kubeadmTokenCreate.plan(facts, params, secrets).actions;
    if (action?.kind !== 'run') throw new Error('expected a run action');
    const created = await runAction(action.argv, action.secretFiles as Record<string, Secret>);
    expect(created).toMatchObject({ exitCode: 0, stdout: `${TOKEN}\n` });
    const secret = await api.get(SECRETS, 'kube-system', 'bootstrap-token-q1w2e3');
    const data = secret.data as Record<string, string>;
    const expires = Date.parse(Buffer.from(data.expiration ?? '', 'base64').toString());
    expect(Math.abs(expires - (Date.now() + 3_600_000))).toBeLessThan(60_000);
    expect(Buffer.from(data.description ?? '', 'base64').toString()).toBe('kumi join token');
    const outputs = await kubeadmTokenCreate.outputs?.(host, params, facts);
    expect(outputs).toMatchObject({ tokenId: 'q1w2e3' });
  });

  it('refuses `token create --config` mixed with --ttl, as kubeadm does', async () => {
    const file = path.join(root, 'token.yaml');
    fs.writeFileSync(file, `apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n- token: ${TOKEN}\n`);
    const result = await kubeadm(['token', 'create', '--config', file, '--ttl', '2h']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("can not mix '--config' with arguments [ttl]");
  });

  it('`token list -o json` prints one output.kubeadm.k8s.io BootstrapToken per token, every token included', async () => {
    await kubeadm(['token', 'create', TOKEN, '--ttl', '1h', '--description', 'joins']);
    await kubeadm(['token', 'create', 'zzzzzz.0123456789abcdef', '--ttl', '2h', '--usages', '', '--groups', '']);
    const listed = await kubeadm(['token', 'list', '--kubeconfig', '/etc/kubernetes/admin.conf', '-o', 'json']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).not.toMatch(/^TOKEN/);
    const objects = listed.stdout.split(/\n(?=\{)/).map((chunk) => JSON.parse(chunk) as Record<string, unknown>);
    expect(objects.map((o) => o.token).sort()).toEqual([TOKEN, 'zzzzzz.0123456789abcdef']);
    const first = objects.find((o) => o.token === TOKEN);
    expect(Object.keys(first ?? {})).toEqual(['kind', 'apiVersion', 'token', 'description', 'expires', 'usages', 'groups']);
    expect(first).toMatchObject({ kind: 'BootstrapToken', apiVersion: 'output.kubeadm.k8s.io/v1alpha3', usages: ['authentication', 'signing'] });
    expect(listed.stdout).toContain('\n    "kind": "BootstrapToken"');
    expect(String(first?.expires)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const bad = await kubeadm(['token', 'list', '-o', 'wide']);
    expect(bad.exitCode).toBe(1);
  });

  it('`version -o short` prints only the version, taken from the installed kubeadm package', async () => {
    expect(await kubeadm(['version', '-o', 'short'])).toMatchObject({ exitCode: 0, stdout: 'v1.34.2\n' });
    expect(kubeadmGitVersion({ kubeadm: { version: '1.33.2-1.1', via: 'apt' } })).toBe('v1.33.2');
    expect(kubeadmGitVersion({ kubeadm: { version: '1.32.4-150500.1.1', via: 'dnf' } })).toBe('v1.32.4');
    expect(JSON.parse((await kubeadm(['version', '-o', 'json'])).stdout)).toMatchObject({ clientVersion: { gitVersion: 'v1.34.2', major: '1', minor: '34' } });
  });

  it('kubeadm.upload-certs: `init phase upload-certs --skip-certificate-key-print --config` seals with the file\'s key and never prints it', async () => {
    for (const file of SHARED_CERT_FILES) {
      fs.mkdirSync(path.dirname(path.join(root, 'etc/kubernetes/pki', file)), { recursive: true });
      if (file !== 'ca.crt') fs.writeFileSync(path.join(root, 'etc/kubernetes/pki', file), `content of ${file}\n`);
    }
    const params = kubeadmUploadCerts.params.parse({ kubernetesVersion: '1.33.2' });
    const secrets = { certificateKey: new Secret(KEY) };
    const facts = { uploadedWithKey: false, expiresAt: undefined, checkedAt: new Date().toISOString(), hostName: 'master1' };
    const [action] = kubeadmUploadCerts.plan(facts, params, secrets).actions;
    if (action?.kind !== 'run') throw new Error('expected a run action');
    const result = await runAction(action.argv, action.secretFiles as Record<string, Secret>);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('[upload-certs] Storing the certificates in Secret "kubeadm-certs"');
    expect(result.stdout).not.toContain(KEY);
    expect(result.stdout).not.toContain('Using certificate key');
    const sealed = (await api.get(SECRETS, 'kube-system', 'kubeadm-certs')).data as Record<string, string>;
    expect(decryptBytes(Buffer.from(sealed['sa.key'] ?? '', 'base64'), decodeCertificateKey(KEY)).toString()).toBe('content of sa.key\n');
  });

  it('`config images list --kubernetes-version` prints kubeadm\'s images in its order', async () => {
    const listed = await kubeadm(['config', 'images', 'list', '--kubernetes-version', 'v1.34.2']);
    expect(listed).toMatchObject({ exitCode: 0 });
    expect(listed.stdout.trim().split('\n')).toEqual([
      'registry.k8s.io/kube-apiserver:v1.34.2',
      'registry.k8s.io/kube-controller-manager:v1.34.2',
      'registry.k8s.io/kube-scheduler:v1.34.2',
      'registry.k8s.io/kube-proxy:v1.34.2',
      'registry.k8s.io/coredns/coredns:v1.12.1',
      'registry.k8s.io/pause:3.10.1',
      'registry.k8s.io/etcd:3.6.4-0',
    ]);
    expect((await kubeadm(['config', 'images', 'list', '--kubernetes-version', 'v1.33.2'])).stdout).toContain('registry.k8s.io/pause:3.10\n');
  });

  it('`config images pull --cri-socket` needs the runtime to answer; then crictl lists the images as JSON', async () => {
    const socket = 'unix:///run/containerd/containerd.sock';
    const refused = await kubeadm(['config', 'images', 'pull', '--kubernetes-version', 'v1.33.2', '--cri-socket', socket]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('dial unix /run/containerd/containerd.sock: connect: no such file or directory');
    fs.mkdirSync(path.join(root, 'run/containerd'), { recursive: true });
    const server = net.createServer((c) => c.end());
    await new Promise<void>((resolve) => server.listen(path.join(root, 'run/containerd/containerd.sock'), resolve));
    try {
      const pulled = await kubeadm(['config', 'images', 'pull', '--kubernetes-version', 'v1.33.2', '--cri-socket', socket]);
      expect(pulled.exitCode, pulled.stderr).toBe(0);
      expect(pulled.stdout).toContain('[config/images] Pulled registry.k8s.io/etcd:3.5.21-0\n');
      let crictlOut = '';
      const code = await crictlMain(['--runtime-endpoint', socket, 'images', '-o', 'json'], { out: (t) => void (crictlOut += t), err: () => undefined }, { root, hostname: 'master1' });
      expect(code).toBe(0);
      const tags = (JSON.parse(crictlOut) as { images: { repoTags: string[] }[] }).images.flatMap((i) => i.repoTags);
      expect(tags).toContain('registry.k8s.io/kube-apiserver:v1.33.2');
      expect(tags).toHaveLength(7);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('drill: kubectl wait --for=delete and the kubelet parking a static pod', () => {
  const waitArgs = (timeout: string) => parseKubectlArgs(['--kubeconfig', '/etc/kubernetes/admin.conf', '-n', 'kube-system', 'wait', '--for=delete', 'pod/kube-apiserver-master1', `--timeout=${timeout}`]);

  async function wait(timeout: string): Promise<string> {
    let printed = '';
    const args = waitArgs(timeout);
    await runWait({ api, args, out: (t) => void (printed += t), err: () => undefined, readStdin: () => Promise.resolve('') }, args.positionals.slice(1));
    return printed;
  }

  it('succeeds silently when the pod is already gone, reports "condition met" once deleted, and times out like kubectl', async () => {
    expect(await wait('1s')).toBe('');
    await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-apiserver-master1', namespace: 'kube-system' } });
    await expect(wait('1s')).rejects.toThrow('timed out waiting for the condition on pods/kube-apiserver-master1');
    setTimeout(() => void api.delete(PODS, 'kube-system', 'kube-apiserver-master1'), 300);
    expect(await wait('4s')).toBe('pod/kube-apiserver-master1 condition met\n');
  });

  it('the kubelet stops a static pod whose manifest was parked and deletes its mirror pod; restoring brings the mirror back', async () => {
    const manifests = path.join(root, 'etc/kubernetes/manifests');
    fs.mkdirSync(manifests, { recursive: true });
    const manifest = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --secure-port=6443\n    name: kube-apiserver\n';
    fs.writeFileSync(path.join(manifests, 'kube-apiserver.yaml'), manifest);
    const host = { root, hostname: 'master1' };
    const node = { name: 'master1', address: '192.0.2.21' };
    const running = new Set(['kube-apiserver', 'etcd']);
    const runner = { start: () => Promise.resolve(), stop: (name: string) => Promise.resolve(void running.delete(name)), running: (name: string) => running.has(name), logFile: (name: string) => `/var/log/${name}.log` };
    const sync = async (): Promise<void> => syncMirrorPods(api, host, node, await api.list(PODS, 'kube-system'), new Date(), () => undefined, runner.running);
    await sync();
    const mirror = await api.get(PODS, 'kube-system', 'kube-apiserver-master1');
    expect(mirror.metadata?.annotations?.['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint']).toBe('192.0.2.21:6443');

    fs.renameSync(path.join(manifests, 'kube-apiserver.yaml'), path.join(root, 'parked.yaml'));
    // The pod still runs: its mirror stays until it has stopped (HandlePodCleanups).
    await sync();
    expect(await api.find(PODS, 'kube-system', 'kube-apiserver-master1')).toBeDefined();
    await stopRemovedStaticPods(host, runner, () => undefined);
    expect([...running]).toEqual([]);
    await sync();
    expect(await api.find(PODS, 'kube-system', 'kube-apiserver-master1')).toBeUndefined();

    fs.renameSync(path.join(root, 'parked.yaml'), path.join(manifests, 'kube-apiserver.yaml'));
    await sync();
    expect(await api.find(PODS, 'kube-system', 'kube-apiserver-master1')).toBeDefined();
  });
});
