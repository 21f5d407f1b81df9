// Issue 10, defect 2: `kumi drill` on Kubernetes >= 1.33. kubeadm's ControlPlaneKubeletLocalMode
// (on by default from v1.33) points a control plane's kubelet at its own API server, so once
// the drill parks that API server the kubelet cannot delete its mirror pod and a wait for the
// pod's deletion never ends. The real drill step runs here against a loopback cluster of
// kubeadm v1.33.2 stand-ins: three control planes with a real 3-member etcd behind a VIP, a
// worker for the dnsutils pod. Before the fix the step failed TIMEOUT at
// "wait for API server of master1 gone". Root only (binds 127.N.0.x:2379/6443, runs etcd).
// Cost: ~1.5 min on 2 idle cores (cluster ~40 s, drill ~45 s); timeouts allow for a loaded machine.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drill, type HostFacts, type StepProgress } from '@kumi/steps';
import { runStep } from '@kumi/steps/executor';
import { CRI_SOCKET, LoopbackCluster, loopbackSkipReason, type LoopbackHost } from './loopback-cluster';
import { initConfig, joinConfig } from './loopback-configs';
import { VipProxy } from './vip-proxy';

const skip = loopbackSkipReason();
if (skip) console.warn(`\n*** SKIPPED drill vs ControlPlaneKubeletLocalMode: ${skip} ***\n`);


describe.skipIf(skip !== undefined).sequential('drill on a v1.33 cluster: the kubelet talks to its local API server', () => {
  const lab = new LoopbackCluster({ kubeadmVersion: 'v1.33.2' });
  let vip: VipProxy;
  let m1: LoopbackHost, m2: LoopbackHost, m3: LoopbackHost, w1: LoopbackHost;
  let VIP = '';
  let hash = '';

  const join = (host: LoopbackHost, controlPlane: boolean): string => joinConfig({ vip: VIP, name: host.name, hash, ...(controlPlane ? { cpIp: host.ip } : {}) });

  beforeAll(async () => {
    await lab.bundle();
    m1 = await lab.host('master1', 21);
    m2 = await lab.host('master2', 22);
    m3 = await lab.host('master3', 23);
    w1 = await lab.host('worker1', 31);
    VIP = `${lab.prefix}100`;
    vip = new VipProxy(VIP, 6443, [m1, m2, m3].map((m) => `${m.ip}:6443`));
    await vip.start();
  }, 60_000);

  afterAll(async () => {
    await vip?.stop();
    await lab.destroy();
  }, 30_000);

  it('kubeadm v1.33 writes kubelet.conf with the local API server on control planes, the VIP on workers', async () => {
    const init = initConfig({ ip: m1.ip, vip: VIP, kubernetesVersion: 'v1.33.2', criSocket: `unix://${CRI_SOCKET}` });
    const res = await lab.run(m1, 'kubeadm', ['init', '--config', lab.file('init.yaml', init), '--upload-certs']);
    expect(res.exitCode, String(res.stderr)).toBe(0);
    hash = /--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/.exec(String(res.stdout))?.[1] ?? '';
    for (const host of [m2, m3]) {
      const joined = await lab.run(host, 'kubeadm', ['join', '--config', lab.file(`${host.name}.yaml`, join(host, true))]);
      expect(joined.exitCode, `${host.name}: ${String(joined.stderr)}`).toBe(0);
    }
    const worker = await lab.run(w1, 'kubeadm', ['join', '--config', lab.file('w1.yaml', join(w1, false))]);
    expect(worker.exitCode, String(worker.stderr)).toBe(0);
    const server = (host: LoopbackHost): string | undefined => /server: (\S+)/.exec(fs.readFileSync(path.join(host.root, 'etc/kubernetes/kubelet.conf'), 'utf8'))?.[1];
    expect([m1, m2, m3, w1].map(server)).toEqual([`https://${m1.ip}:6443`, `https://${m2.ip}:6443`, `https://${m3.ip}:6443`, `https://${VIP}:6443`]);
    expect(/server: (\S+)/.exec(fs.readFileSync(path.join(m1.root, 'etc/kubernetes/admin.conf'), 'utf8'))?.[1]).toBe(`https://${VIP}:6443`);
  }, 300_000);

  it('with the pod network and the dnsutils pod of step verify', async () => {
    const flannel = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'kube-flannel.yml'), 'utf8');
    expect((await lab.run(m1, 'kubectl', ['apply', '-f', '-'], { input: flannel })).exitCode).toBe(0);
    const ready = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=60s']);
    expect(ready.exitCode, String(ready.stderr)).toBe(0);
    expect((await lab.run(m1, 'kubectl', ['run', 'kumi-dnsutils', '--image=registry.k8s.io/e2e-test-images/agnhost:2.39', '--restart=Never', '--', 'sleep', 'infinity'])).exitCode).toBe(0);
    const pod = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'pod/kumi-dnsutils', '--timeout=30s']);
    expect(pod.exitCode, String(pod.stderr)).toBe(0);
  }, 180_000);

  it('parked static pods: the mirror pod stays (the old wait never ends); port closed and containers gone', async () => {
    const manifests = path.join(m1.root, 'etc/kubernetes/manifests');
    const aside = path.join(lab.dir, 'parked-by-hand');
    fs.mkdirSync(aside);
    const before = await lab.run(m1, 'crictl', ['--runtime-endpoint', `unix://${CRI_SOCKET}`, 'ps', '--name', '^(etcd|kube-apiserver)$', '-o', 'json']);
    expect((JSON.parse(String(before.stdout)) as { containers: { metadata: { name: string } }[] }).containers.map((c) => c.metadata.name)).toEqual(['etcd', 'kube-apiserver']);
    for (const file of fs.readdirSync(manifests)) fs.renameSync(path.join(manifests, file), path.join(aside, file));
    try {
      // The local API server goes once the kubelet notices (it syncs every 2 s).
      const portClosed = (): Promise<boolean> =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(6443, m1.ip);
          socket.once('connect', () => (socket.destroy(), resolve(false)));
          socket.once('error', () => resolve(true));
        });
      const started = Date.now();
      while (!(await portClosed()) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 250));
      expect(await portClosed()).toBe(true);
      const after = await lab.run(m1, 'crictl', ['--runtime-endpoint', `unix://${CRI_SOCKET}`, 'ps', '--name', '^(etcd|kube-apiserver)$', '-q']);
      expect(after.exitCode).toBe(0);
      expect(after.stdout).toBe('');
      // Through the VIP only once the proxy took master1 out of rotation (HAProxy's fall 3), as
      // the drill waits for the API through the VIP before it reads anything.
      const outAt = Date.now();
      while (vip.upBackends().includes(`${m1.ip}:6443`) && Date.now() - outAt < 10_000) await new Promise((r) => setTimeout(r, 100));
      expect(vip.upBackends()).not.toContain(`${m1.ip}:6443`);
      // The wait kumi's drill used before the fix, through the VIP (admin.conf): the mirror pod stays.
      const old = await lab.run(m1, 'kubectl', ['-n', 'kube-system', 'wait', '--for=delete', 'pod/kube-apiserver-master1', '--timeout=10s']);
      expect(old.exitCode).toBe(1);
      expect(old.stderr).toContain('timed out waiting for the condition on pods/kube-apiserver-master1');
      expect((await lab.run(m1, 'kubectl', ['get', '--raw=/readyz'])).stdout).toBe('ok');
    } finally {
      for (const file of fs.readdirSync(aside)) fs.renameSync(path.join(aside, file), path.join(manifests, file));
    }
    const back = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'node/master1', '--timeout=40s']);
    expect(back.exitCode, String(back.stderr)).toBe(0);
  }, 180_000);

  it('the real drill step takes master1 down, checks the cluster through the VIP and brings it back', async () => {
    const shims = path.join(lab.dir, 'shims');
    fs.mkdirSync(shims);
    // A loopback host's systemctl (its kubelet unit) and etcdctl (host paths under its root).
    const tsx = createRequire(import.meta.url).resolve('tsx');
    fs.writeFileSync(path.join(shims, 'systemctl'), `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${path.join(import.meta.dirname, 'loopback-systemctl.ts')}" "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(
      path.join(shims, 'etcdctl'),
      '#!/bin/sh\nfor a in "$@"; do case "$a" in --cacert=/*|--cert=/*|--key=/*) set -- "$@" "${a%%=*}=$KUMI_STANDIN_ROOT${a#*=}";; *) set -- "$@" "$a";; esac; shift; done\nETCDCTL_API=3 exec /usr/bin/etcdctl --command-timeout=3s "$@"\n',
      { mode: 0o755 },
    );
    const saved = { ...process.env };
    Object.assign(process.env, lab.env(m1), { PATH: `${shims}:${lab.bin}:${process.env.PATH ?? ''}` });
    const progress: string[] = [];
    try {
      const facts: HostFacts = {
        hostName: 'master1',
        os: { id: 'debian', version: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' },
        kernel: '6.1.0-26-amd64',
        arch: 'amd64',
        cpus: 2,
        memoryBytes: 4 * 1024 ** 3,
        interfaces: [{ name: 'eth0', mac: '52:54:00:00:00:21', addresses: [`${m1.ip}/8`], up: true, virtual: false }],
        swap: { totalBytes: 0, usedBytes: 0, devices: [] },
        initSystem: 'systemd',
        packageManager: 'apt',
        firewall: 'none',
        cgroupVersion: 2,
        productUuid: '00000000-0000-4000-8000-000000000021',
        defaultIpv4: m1.ip,
      };
      const outcome = await runStep(drill, {
        root: m1.root,
        facts,
        params: { endpoint: { host: VIP }, observeMs: 3_000, timeoutMs: 60_000 },
        secrets: {},
        dryRun: false,
        onProgress: (event: StepProgress) => {
          if (event.kind === 'progress') progress.push(event.text);
        },
      });
      expect(outcome.status).toBe('done');
      const planned = outcome.status === 'done' ? (outcome.planned ?? []) : [];
      expect(planned.some((line) => line.startsWith(`wait for API server of master1 stopped (${m1.ip}:6443 closed)`))).toBe(true);
      expect(planned.some((line) => line.startsWith('wait for containers etcd, kube-apiserver of master1 gone'))).toBe(true);
      expect(planned.some((line) => line.includes('--for=delete'))).toBe(false);
      const outputs = (outcome.status === 'done' ? outcome.outputs : {}) as { node: string; api: { samples: number } };
      expect(outputs.node).toBe('master1');
      expect(outputs.api.samples).toBeGreaterThan(10);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nprogress:\n${progress.slice(-15).join('\n')}`, { cause: err });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    const pods = await lab.run(m2, 'kubectl', ['-n', 'kube-system', 'get', 'pod', 'kube-apiserver-master1', '-o', 'name']);
    expect(pods.stdout).toBe('pod/kube-apiserver-master1\n');
    expect(fs.readdirSync(path.join(m1.root, 'etc/kubernetes/manifests')).sort()).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
  }, 300_000);
});
