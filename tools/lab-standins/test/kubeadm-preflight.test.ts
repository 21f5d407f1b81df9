import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ignoredChecks, initNodeChecks, joinNodeChecks, reportPreflight, type PreflightError } from '../src/kubeadm/preflight';
import { firewalld, hostname, httpProxy, httpProxyCidr, systemVerification } from '../src/kubeadm/preflight-node';
import { machineCgroupFacts, validateCgroups } from '../src/kubeadm/preflight-cgroups';

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
const tool = (name: string, script = ''): void => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}`, { mode: 0o755 });
/** systemctl as systemd answers kubeadm's initsystem: units loaded, kubelet enabled, firewalld in the given state. */
const systemctl = (firewalld: 'active' | 'inactive'): void =>
  tool('systemctl', `case "$1 $2" in\n  "status "*) echo "  Loaded: loaded (/usr/lib/systemd/system/$2.service; enabled)";;\n  "is-enabled kubelet") echo enabled;;\n  "is-active firewalld") echo ${firewalld}; [ ${firewalld} = active ];;\n  *) exit 1;;\nesac\n`);
/** What a node prepared by kumi has: kubelet (and its version), systemd, its name in /etc/hosts. */
const prepared = (kubelet = 'v1.33.2', firewalld: 'active' | 'inactive' = 'inactive'): void => {
  tool('kubelet', `[ "$1" = --version ] && echo "Kubernetes ${kubelet}"\n`);
  systemctl(firewalld);
  put('/etc/hosts', '127.0.0.1\tlocalhost\n192.0.2.21\tmaster1\n');
};
/** SystemVerification's cgroups findings on this machine (a cgroup v1 machine warns from kubeadm v1.32; table tests in src/kubeadm/preflight-cgroups.test.ts). */
const machineCgroups = (minor: number): PreflightError[] => validateCgroups(minor, machineCgroupFacts());
const cgroupWarnings = (minor: number): string => machineCgroups(minor).map((f) => `\t[WARNING ${f.check}]: ${f.message}\n`).join('');
const names = (found: readonly (PreflightError | undefined)[]): string[] => found.flatMap((f) => (f === undefined ? [] : [`${f.warning ? 'WARNING' : 'ERROR'} ${f.check}`]));
const address = '127.0.0.1';
const init = (kubeadmVersion: string, kubernetesVersion = kubeadmVersion, bindPort = 0) =>
  initNodeChecks(host(), { kubeadmVersion, kubernetesVersion, criSocket: 'unix:///run/containerd/containerd.sock', nodeAddress: address, nodeName: 'master1', bindPort, etcdDataDir: '/var/lib/etcd', secondary: false, serviceSubnet: '10.96.0.0/12', podSubnet: '10.244.0.0/16' });
const join = (kubeadmVersion: string, controlPlane = false) =>
  joinNodeChecks(host(), { kubeadmVersion, criSocket: 'unix:///run/containerd/containerd.sock', nodeAddress: address, nodeName: 'master1', controlPlane, discoveryEndpoint: '192.0.2.100:6443' });

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
    expect(names(await join('v1.31.2'))).not.toContain('ERROR FileExisting-conntrack');
  });

  it('a prepared host passes; active swap is a warning; a port in use and leftovers are errors', async () => {
    for (const name of ['ip', 'iptables', 'mount', 'nsenter', 'ebtables', 'ethtool', 'socat', 'tc', 'touch']) tool(name);
    prepared();
    put('/proc/sys/net/ipv4/ip_forward', '1\n');
    const socket = path.join(root, 'run/containerd/containerd.sock');
    fs.mkdirSync(path.dirname(socket), { recursive: true });
    const runtime = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve) => runtime.listen(socket, resolve));
    try {
      expect(names(await init('v1.33.2'))).toEqual(names(machineCgroups(33)));
      put('/proc/swaps', 'Filename\tType\tSize\tUsed\tPriority\n/swapfile file 1048572 0 -2\n');
      put('/etc/kubernetes/manifests/kube-apiserver.yaml', 'x');
      put('/var/lib/etcd/member/x', 'x');
      const busy = net.createServer();
      await new Promise<void>((resolve) => busy.listen(0, address, resolve));
      const port = (busy.address() as net.AddressInfo).port;
      try {
        const found = await init('v1.33.2', 'v1.33.2', port);
        expect(names(found)).toEqual([`ERROR Port-${port}`, 'ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml', 'WARNING Swap', ...names(machineCgroups(33)), 'ERROR DirAvailable--var-lib-etcd']);
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

describe('node checks (checks.go KubernetesVersion, Firewalld, HTTPProxy, SystemVerification, Hostname, KubeletVersion, Service-Kubelet)', () => {
  /** A kumi-prepared control plane on a RHEL-family host: every tool, ip_forward, a runtime on the CRI socket. */
  async function withPreparedHost(kubelet: string, firewalld: 'active' | 'inactive', body: () => Promise<void>): Promise<void> {
    for (const name of ['ip', 'iptables', 'mount', 'nsenter', 'ebtables', 'ethtool', 'socat', 'tc', 'touch']) tool(name);
    prepared(kubelet, firewalld);
    put('/proc/sys/net/ipv4/ip_forward', '1\n');
    const socket = path.join(root, 'run/containerd/containerd.sock');
    fs.mkdirSync(path.dirname(socket), { recursive: true });
    const runtime = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve) => runtime.listen(socket, resolve));
    try {
      await body();
    } finally {
      runtime.close();
    }
  }

  it('golden: firewalld active warns with the API and kubelet ports; a kubelet newer than the control plane is an error, a warning once ignored by name', async () => {
    await withPreparedHost('v1.34.0', 'active', async () => {
      const found = await init('v1.34.2', 'v1.33.2');
      let stderr = '';
      expect(() => reportPreflight(found, new Set(), (t) => (stderr += t))).toThrow(
        '[preflight] Some fatal errors occurred:\n\t[ERROR KubeletVersion]: the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: "1.34.0" Control plane version: "1.33.2"\n[preflight] If you know',
      );
      expect(stderr).toBe(`\t[WARNING Firewalld]: firewalld is active, please ensure ports [0 10250] are open or your cluster may not function correctly\n${cgroupWarnings(34)}`);
      stderr = '';
      reportPreflight(found, ignoredChecks(['KubeletVersion'], []), (t) => (stderr += t));
      expect(stderr).toBe(
        '\t[WARNING Firewalld]: firewalld is active, please ensure ports [0 10250] are open or your cluster may not function correctly\n' +
          cgroupWarnings(34) +
          '\t[WARNING KubeletVersion]: the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: "1.34.0" Control plane version: "1.33.2"\n',
      );
    });
  });

  it('KubeletVersion: older than kubeadm minus three minors is an error, a missing kubelet too; KubernetesVersion newer than kubeadm warns', async () => {
    await withPreparedHost('v1.30.9', 'inactive', async () => {
      const found = await init('v1.34.2', 'v1.35.0');
      expect(found.filter((f) => f !== undefined)).toEqual([
        { check: 'KubernetesVersion', message: 'Kubernetes version is greater than kubeadm version. Please consider to upgrade kubeadm. Kubernetes version: 1.35.0. Kubeadm version: 1.34.x', warning: true },
        ...machineCgroups(34),
        { check: 'KubeletVersion', message: 'Kubelet version "1.30.9" is lower than kubeadm can support. Please upgrade kubelet' },
      ]);
    });
    await withPreparedHost('v1.31.0', 'inactive', async () => {
      expect(names(await init('v1.34.2', 'v1.34.2'))).toEqual(names(machineCgroups(34)));
    });
    // A bare host: no kubelet on the PATH, no systemctl (kubeadm's initsystem finds none).
    for (const name of ['kubelet', 'systemctl']) fs.rmSync(path.join(bin, name));
    const bare = (await join('v1.33.2')).filter((f) => f?.check === 'KubeletVersion' || f?.check === 'Service-Kubelet');
    expect(bare).toEqual([
      { check: 'KubeletVersion', message: `couldn't get kubelet version: cannot execute 'kubelet --version': exec: "kubelet": executable file not found in $PATH` },
      { check: 'Service-Kubelet', message: 'no supported init system detected, skipping checking for services', warning: true },
    ]);
  });

  it('Hostname: an invalid or unresolvable node name is a warning (resolved through /etc/hosts)', () => {
    put('/etc/resolv.conf', 'nameserver 192.0.2.1\n');
    expect(hostname(host(), '-bad')).toEqual([
      { check: 'Hostname', message: `invalid node name format "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`, warning: true },
      { check: 'Hostname', message: 'hostname "-bad" could not be reached', warning: true },
      { check: 'Hostname', message: 'hostname "-bad": lookup -bad on 192.0.2.1:53: no such host', warning: true },
    ]);
    put('/etc/hosts', '192.0.2.21 master1 master1.lab\n');
    expect(hostname(host(), 'master1.lab')).toEqual([]);
  });

  it('HTTPProxy and HTTPProxyCIDR: Go ProxyFromEnvironment rules (NO_PROXY IPs and CIDRs, loopback never proxied)', () => {
    const env = { HTTPS_PROXY: 'proxy.example:3128' };
    expect(httpProxy('192.0.2.100', env)).toEqual({ check: 'HTTPProxy', message: 'Connection to "https://192.0.2.100" uses proxy "http://proxy.example:3128". If that is not intended, adjust your proxy settings', warning: true });
    expect(httpProxy('192.0.2.100', { ...env, NO_PROXY: 'localhost,192.0.2.0/24' })).toBeUndefined();
    expect(httpProxy('127.0.0.1', env)).toBeUndefined();
    expect(httpProxyCidr('10.96.0.0/12', env)?.message).toBe('connection to "10.96.0.0/12" uses proxy "http://proxy.example:3128". This may lead to malfunctional cluster setup. Make sure that Pod and Services IP ranges specified correctly as exceptions in proxy configuration');
    expect(httpProxyCidr('10.96.0.0/12', { ...env, no_proxy: '10.96.0.1' })).toBeUndefined();
    expect(httpProxyCidr('10.96.0.0/33', env)).toEqual({ check: 'HTTPProxyCIDR', message: 'error parsing CIDR "10.96.0.0/33": invalid CIDR address: 10.96.0.0/33' });
  });

  it('SystemVerification: the kernel release per system-validators version (an error, a warning from kubeadm v1.34)', () => {
    const version = (minor: number, release: string) => systemVerification(minor, release).filter((f) => !f.message.includes('kernel config'));
    expect(version(31, '3.9.0')).toEqual([{ check: 'SystemVerification', message: 'unsupported kernel release: 3.9.0', warning: false }]);
    expect(version(31, '4.4.0-96-generic')).toEqual([]);
    expect(version(32, '4.14.1')[0]?.message).toBe('kernel release 4.14.1 is unsupported. Recommended LTS version from the 4.x series is 4.19. Any 5.x or 6.x versions are also supported. For cgroups v2 support, the minimal version is 4.15 and the recommended version is 5.8+');
    expect(version(33, '4.19.0')[0]?.warning).toBe(false);
    expect(version(34, '4.19.0')[0]).toMatchObject({ check: 'SystemVerification', warning: true });
    expect(version(34, '6.18.44-fc')).toEqual([]);
  });

  it('Firewalld: nothing when the unit is not found or inactive', () => {
    tool('systemctl', 'echo "  Loaded: not-found (Reason: Unit firewalld.service not found.)"; exit 4\n');
    expect(firewalld([6443, 10250])).toBeUndefined();
    systemctl('inactive');
    expect(firewalld([6443, 10250])).toBeUndefined();
    systemctl('active');
    expect(firewalld([6443, 10250])?.message).toBe('firewalld is active, please ensure ports [6443 10250] are open or your cluster may not function correctly');
  });
});
