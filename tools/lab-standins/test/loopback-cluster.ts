import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa, type Result } from 'execa';
import { buildStandins } from '../src/build-standins';
import { LOOPBACK_DIR_PREFIX, sweepStaleLoopbackClusters, writeOwner } from './loopback-sweep';

/** containerd's CRI socket, kubeadm's default criSocket. */
export const CRI_SOCKET = '/var/run/containerd/containerd.sock';

const LAB_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A pretend host on loopback: its own root folder, name and 127.0.0.x address. */
export interface LoopbackHost {
  readonly name: string;
  readonly ip: string;
  readonly root: string;
}

/** True when the loopback cluster tests can run: root, and Debian's etcd/etcdctl installed. */
export function loopbackSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (binds 127.0.0.x:2379/2380/6443 and runs etcd)';
  if (!fs.existsSync('/usr/bin/etcd') || !fs.existsSync('/usr/bin/etcdctl')) return 'needs Debian etcd-server and etcd-client (/usr/bin/etcd, /usr/bin/etcdctl)';
  return undefined;
}

/** A set of loopback hosts sharing one lab dir (for the lab clock), torn down by `destroy`. */
export class LoopbackCluster {
  readonly dir: string;
  readonly labDir: string;
  /** "127.N.0." with a random N, so that two runs on one machine never share addresses. */
  readonly prefix = `127.${10 + Math.floor(Math.random() * 240)}.0.`;
  private readonly hosts: LoopbackHost[] = [];

  /** `kubeadmVersion`: the kubeadm every host of this cluster has (KUMI_STANDIN_KUBEADM_VERSION); the stand-in's default otherwise. */
  constructor(private readonly options: { kubeadmVersion?: string } = {}) {
    // Test runs killed before destroy() leave detached etcd/API servers/kubelets behind.
    sweepStaleLoopbackClusters();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), LOOPBACK_DIR_PREFIX));
    writeOwner(this.dir);
    this.labDir = path.join(this.dir, 'lab');
    fs.mkdirSync(this.labDir);
    // The hosts' kubelet package: kubeadm's KubeletVersion preflight check runs `kubelet --version` from the PATH.
    fs.mkdirSync(path.join(this.dir, 'path'));
    const kubelet = path.join(import.meta.dirname, '..', 'src', 'kubelet', 'bin', 'kubelet.ts');
    const bundled = path.join(this.dir, 'bin', 'kubelet');
    fs.writeFileSync(path.join(this.dir, 'path', 'kubelet'), `#!/bin/sh\n[ -x ${bundled} ] && exec ${bundled} "$@"\nexec ${process.execPath} --import tsx ${kubelet} "$@"\n`, { mode: 0o755 });
  }

  /**
   * Adds a host at prefix + last octet, prepared as kumi leaves a host before kubeadm runs
   * (what kubeadm's preflight checks): net.ipv4.ip_forward = 1 and a container runtime
   * answering on containerd's CRI socket (a listener: the lab's runtime is not a stand-in).
   */
  async host(name: string, lastOctet: number): Promise<LoopbackHost> {
    const host = { name, ip: `${this.prefix}${lastOctet}`, root: path.join(this.dir, name) };
    fs.mkdirSync(path.join(host.root, 'proc/sys/net/ipv4'), { recursive: true });
    fs.writeFileSync(path.join(host.root, 'proc/sys/net/ipv4/ip_forward'), '1\n');
    const socket = path.join(host.root, CRI_SOCKET);
    fs.mkdirSync(path.dirname(socket), { recursive: true });
    const server = net.createServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    this.runtimes.push(server);
    this.hosts.push(host);
    return host;
  }

  private readonly runtimes: net.Server[] = [];

  /** Environment of a stand-in command running "on" the host. */
  env(host: LoopbackHost): Record<string, string> {
    const env: Record<string, string> = { KUMI_STANDIN_ROOT: host.root, KUMI_STANDIN_HOSTNAME: host.name, KUMI_STANDIN_NODE_IP: host.ip, KUMI_LAB_DIR: this.labDir, PATH: `${path.join(this.dir, 'path')}:${process.env.PATH ?? ''}` };
    // The host's kubeadm and kubelet packages are of one release, as kumi installs them.
    if (this.options.kubeadmVersion !== undefined) env.KUMI_STANDIN_KUBEADM_VERSION = this.options.kubeadmVersion;
    return env;
  }

  /** Bundles the stand-ins as the lab does (one CJS file per command, ~50 ms startup); `run` then uses them. */
  async bundle(): Promise<void> {
    await buildStandins(path.join(this.dir, 'bin'), path.join(this.dir, 'packages'));
    this.binDir = path.join(this.dir, 'bin');
  }

  private binDir: string | undefined;

  /** The folder holding the bundled stand-in commands (after `bundle`). */
  get bin(): string {
    if (this.binDir === undefined) throw new Error('bundle() first');
    return this.binDir;
  }

  /** Runs a stand-in command (kubeadm, kubectl, crictl) on the host: the bundle when built, else from source. */
  run(host: LoopbackHost, tool: 'kubeadm' | 'kubectl' | 'crictl', args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Result> {
    const argv = this.binDir ? [path.join(this.binDir, tool)] : ['--import', 'tsx', path.join(import.meta.dirname, '..', 'src', tool, 'bin', `${tool}.ts`)];
    return execa(process.execPath, [...argv, ...args], {
      cwd: LAB_ROOT,
      env: { ...this.env(host), ...opts.env },
      input: opts.input,
      reject: false,
      stripFinalNewline: false,
      timeout: opts.timeoutMs ?? 90_000,
    });
  }

  /** Writes a file into the test dir and returns its path. */
  file(name: string, content: string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  /** Moves the lab clock forward (LAB/clock holds the offset in ms, as `kumi-lab clock`). */
  shiftClock(ms: number): void {
    const file = path.join(this.labDir, 'clock');
    const current = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : 0;
    fs.writeFileSync(file, `${current + ms}\n`);
  }

  /** pids of the host's background services (etcd, kube-apiserver, kubelet). */
  servicePids(host: LoopbackHost): number[] {
    const dir = path.join(host.root, 'run', 'kumi-standins');
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).filter((f) => f.endsWith('.pid')).map((f) => Number(fs.readFileSync(path.join(dir, f), 'utf8').trim())).filter((p) => p > 0);
  }

  /** The "shutdown -h now" of a host: SIGKILL every service process group it runs. */
  kill(host: LoopbackHost): void {
    for (const pid of this.servicePids(host)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  /** Kills every host's processes and removes the test dir. */
  async destroy(): Promise<void> {
    for (const host of this.hosts) this.kill(host);
    for (const runtime of this.runtimes) runtime.close();
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** etcdctl against one member with that host's healthcheck-client certificate. */
  etcdctl(host: LoopbackHost, args: string[]): Promise<Result> {
    const pki = path.join(host.root, 'etc', 'kubernetes', 'pki', 'etcd');
    return execa('etcdctl', [`--endpoints=https://${host.ip}:2379`, `--cacert=${pki}/ca.crt`, `--cert=${pki}/healthcheck-client.crt`, `--key=${pki}/healthcheck-client.key`, '--command-timeout=3s', ...args], {
      env: { ETCDCTL_API: '3' },
      reject: false,
      timeout: 15_000,
    });
  }
}
