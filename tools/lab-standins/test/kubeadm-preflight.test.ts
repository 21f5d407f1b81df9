import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ignoredChecks, initNodeChecks, joinNodeChecks, reportPreflight, type PreflightError } from '../src/kubeadm/preflight';

// kubeadm's preflight per release (cmd/kubeadm/app/preflight/checks.go, checks_linux.go):
// what is checked, its name, error or warning. Before, the stand-in checked only files and
// three ports, so a host kubeadm would refuse passed in the lab.

let root: string;
let bin: string;
const savedPath = process.env.PATH;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-preflight-'));
  bin = path.join(root, 'usr-bin');
  fs.mkdirSync(bin);
  process.env.PATH = bin;
});
afterEach(() => {
  process.env.PATH = savedPath;
  fs.rmSync(root, { recursive: true, force: true });
});

const host = (): { root: string; hostname: string } => ({ root, hostname: 'master1' });
const put = (file: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
};
const tool = (name: string): void => fs.writeFileSync(path.join(bin, name), '#!/bin/sh\n', { mode: 0o755 });
const names = (found: readonly (PreflightError | undefined)[]): string[] => found.flatMap((f) => (f === undefined ? [] : [`${f.warning ? 'WARNING' : 'ERROR'} ${f.check}`]));
const address = '127.0.0.1';
const init = (kubeadmVersion: string, kubernetesVersion = kubeadmVersion) =>
  initNodeChecks(host(), { kubeadmVersion, kubernetesVersion, criSocket: 'unix:///run/containerd/containerd.sock', nodeAddress: address, bindPort: 0, etcdDataDir: '/var/lib/etcd', secondary: false });

describe('kubeadm preflight per release', () => {
  it('a bare host: CRI, ip_forward and the mandatory executables are errors, the optional ones warnings', async () => {
    const found = names(await init('v1.33.2'));
    expect(found).toContain('ERROR CRI');
    expect(found).toContain('ERROR FileContent--proc-sys-net-ipv4-ip_forward');
    expect(found.filter((n) => n.startsWith('ERROR FileExisting'))).toEqual(['ERROR FileExisting-ip', 'ERROR FileExisting-iptables', 'ERROR FileExisting-mount', 'ERROR FileExisting-nsenter']);
    expect(found.filter((n) => n.startsWith('WARNING FileExisting'))).toEqual(['WARNING FileExisting-ebtables', 'WARNING FileExisting-ethtool', 'WARNING FileExisting-socat', 'WARNING FileExisting-tc', 'WARNING FileExisting-touch']);
    expect(found).not.toContain('ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables');
  });

  it('bridge-nf-call-iptables until v1.29 (kubernetes/kubernetes#123464), conntrack for Kubernetes < v1.32 (#126952)', async () => {
    expect(names(await init('v1.29.10'))).toContain('ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables');
    expect(names(await init('v1.30.6'))).not.toContain('ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables');
    expect(names(await init('v1.31.2'))).toContain('ERROR FileExisting-conntrack');
    expect(names(await init('v1.32.0'))).not.toContain('ERROR FileExisting-conntrack');
    // A join knows no Kubernetes version at preflight time: no conntrack check.
    expect(names(await joinNodeChecks(host(), { kubeadmVersion: 'v1.31.2', criSocket: 'unix:///run/containerd/containerd.sock', nodeAddress: address }))).not.toContain('ERROR FileExisting-conntrack');
  });

  it('a prepared host passes; active swap is a warning; a port in use and leftovers are errors', async () => {
    for (const name of ['ip', 'iptables', 'mount', 'nsenter', 'ebtables', 'ethtool', 'socat', 'tc', 'touch']) tool(name);
    put('/proc/sys/net/ipv4/ip_forward', '1\n');
    const socket = path.join(root, 'run/containerd/containerd.sock');
    fs.mkdirSync(path.dirname(socket), { recursive: true });
    const runtime = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve) => runtime.listen(socket, resolve));
    try {
      expect(names(await init('v1.33.2'))).toEqual([]);
      put('/proc/swaps', 'Filename\tType\tSize\tUsed\tPriority\n/swapfile file 1048572 0 -2\n');
      put('/etc/kubernetes/manifests/kube-apiserver.yaml', 'x');
      put('/var/lib/etcd/member/x', 'x');
      const busy = net.createServer();
      await new Promise<void>((resolve) => busy.listen(0, address, resolve));
      const port = (busy.address() as net.AddressInfo).port;
      try {
        const found = await initNodeChecks(host(), { kubeadmVersion: 'v1.33.2', kubernetesVersion: 'v1.33.2', criSocket: 'unix:///run/containerd/containerd.sock', nodeAddress: address, bindPort: port, etcdDataDir: '/var/lib/etcd', secondary: false });
        expect(names(found)).toEqual([`ERROR Port-${port}`, 'ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml', 'WARNING Swap', 'ERROR DirAvailable--var-lib-etcd']);
        expect(found.find((f) => f?.check === 'Swap')?.message).toContain('swap is supported for cgroup v2 only');
      } finally {
        busy.close();
      }
    } finally {
      runtime.close();
    }
  });
});

describe('reporting (RunChecks, ValidateIgnorePreflightErrors)', () => {
  const found: PreflightError[] = [{ check: 'NumCPU', message: 'the number of available CPUs 1 is less than the required 2' }, { check: 'Swap', message: 'swap on', warning: true }];

  it('errors stop kubeadm with its message; warnings go to stderr', () => {
    let err = '';
    expect(() => reportPreflight(found, new Set(), (t) => (err += t))).toThrow('[preflight] Some fatal errors occurred:\n\t[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2\n[preflight] If you know what you are doing');
    expect(err).toBe('\t[WARNING Swap]: swap on\n');
  });

  it('an ignored check (flag or nodeRegistration.ignorePreflightErrors, any case) becomes a warning', () => {
    let err = '';
    reportPreflight(found, ignoredChecks([], ['NumCPU']), (t) => (err += t));
    expect(err).toBe('\t[WARNING NumCPU]: the number of available CPUs 1 is less than the required 2\n\t[WARNING Swap]: swap on\n');
    expect([...ignoredChecks(['Swap,numcpu'], [])]).toEqual(['swap', 'numcpu']);
  });

  it('"all" with other checks is refused', () => {
    expect(() => ignoredChecks(['all,NumCPU'], [])).toThrow(`ignore-preflight-errors: Invalid value: "all,numcpu": don't specify individual checks if 'all' is used`);
  });
});
