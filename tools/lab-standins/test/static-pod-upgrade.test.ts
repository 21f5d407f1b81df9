// Static pods follow their manifests (issue 10): the kubelet kills and restarts a static pod
// whose manifest changed (its config hash is its UID: k/k pkg/kubelet/config/common.go,
// file.go), and `kubeadm upgrade apply` only writes the new manifest and waits for the
// kubelet (cmd/kubeadm/app/phases/upgrade/staticpods.go): the mirror pod's
// kubernetes.io/config.hash must change, else the old manifest is put back. Before this the
// lab's kubelet ignored a changed manifest and kubeadm restarted kube-apiserver itself, so an
// upgrade "succeeded" with no kubelet at all. One kubeadm v1.33.2 control plane on loopback
// behind a VIP. Root only (binds 127.N.0.x:2379/6443, runs etcd). Cost: ~40 s.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRI_SOCKET, LoopbackCluster, loopbackSkipReason, type LoopbackHost } from './loopback-cluster';
import { initConfig } from './loopback-configs';
import { VipProxy } from './vip-proxy';

const skip = loopbackSkipReason();
if (skip) console.warn(`\n*** SKIPPED static pods follow their manifests: ${skip} ***\n`);

describe.skipIf(skip !== undefined).sequential('static pods follow their manifests; kubeadm upgrade waits for the kubelet', () => {
  const lab = new LoopbackCluster({ kubeadmVersion: 'v1.33.2' });
  let vip: VipProxy;
  let m1: LoopbackHost;
  const manifest = (): string => path.join(m1.root, 'etc/kubernetes/manifests/kube-apiserver.yaml');
  const pidOf = (service: string): number => Number(fs.readFileSync(path.join(m1.root, 'run/kumi-standins', `${service}.pid`), 'utf8').trim());
  const mirrorHash = async (): Promise<string> => {
    const res = await lab.run(m1, 'kubectl', ['-n', 'kube-system', 'get', 'pod', 'kube-apiserver-master1', '-o', 'json']);
    return res.exitCode === 0 ? ((JSON.parse(String(res.stdout)) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['kubernetes.io/config.hash'] ?? '') : '';
  };
  const serverVersion = async (): Promise<string> => {
    const res = await lab.run(m1, 'kubectl', ['get', '--raw=/version']);
    return res.exitCode === 0 ? (JSON.parse(String(res.stdout)) as { gitVersion: string }).gitVersion : `exit ${res.exitCode}: ${String(res.stderr)}`;
  };
  /** Polls `probe` (bounded by `ms`) until it holds. */
  const eventually = async (probe: () => Promise<boolean> | boolean, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await probe()) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return probe();
  };

  beforeAll(async () => {
    await lab.bundle();
    m1 = await lab.host('master1', 21);
    const VIP = `${lab.prefix}100`;
    vip = new VipProxy(VIP, 6443, [`${m1.ip}:6443`]);
    await vip.start();
    const init = initConfig({ ip: m1.ip, vip: VIP, kubernetesVersion: 'v1.33.1', criSocket: `unix://${CRI_SOCKET}` });
    const res = await lab.run(m1, 'kubeadm', ['init', '--config', lab.file('init.yaml', init)]);
    expect(res.exitCode, String(res.stderr)).toBe(0);
    // kubectl goes through the VIP: wait until the proxy's health check took master1 in (rise 2).
    expect(await eventually(() => vip.upBackends().length === 1, 20_000)).toBe(true);
    const flannel = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'kube-flannel.yml'), 'utf8');
    const applied = await lab.run(m1, 'kubectl', ['apply', '-f', '-'], { input: flannel });
    expect(applied.exitCode, String(applied.stderr)).toBe(0);
    const ready = await lab.run(m1, 'kubectl', ['wait', '--for=condition=Ready', 'node/master1', '--timeout=60s']);
    expect(ready.exitCode, String(ready.stderr)).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await vip?.stop();
    if (process.env.KEEP_LOGS) for (const f of ['kubelet', 'kube-apiserver']) console.log(fs.readFileSync(path.join(m1.root, 'var/log/kumi-standins', `${f}.log`), 'utf8').slice(-3000));
    await lab.destroy();
  }, 30_000);

  it('the kubelet kills and restarts a static pod whose manifest changed, and replaces its mirror pod', async () => {
    expect(await eventually(async () => (await mirrorHash()) !== '', 20_000)).toBe(true);
    const pid = pidOf('kube-apiserver');
    const hash = await mirrorHash();
    // Any change to the pod is a new pod for the kubelet, here a label only.
    fs.writeFileSync(manifest(), fs.readFileSync(manifest(), 'utf8').replace('    tier: control-plane\n', '    tier: control-plane\n    changed: by-hand\n'));
    expect(await eventually(() => fs.existsSync(path.join(m1.root, 'run/kumi-standins/kube-apiserver.pid')) && pidOf('kube-apiserver') !== pid, 20_000)).toBe(true);
    expect(await eventually(async () => ![hash, ''].includes(await mirrorHash()), 30_000)).toBe(true);
    expect(await serverVersion()).toBe('v1.33.1');
  }, 90_000);

  it('kubeadm upgrade apply restarts nothing itself: without a kubelet the hash never changes and the old manifest is put back', async () => {
    const before = fs.readFileSync(manifest(), 'utf8');
    const pid = pidOf('kube-apiserver');
    const kubelet = pidOf('kubelet');
    process.kill(-kubelet, 'SIGSTOP');
    let res;
    try {
      res = await lab.run(m1, 'kubeadm', ['upgrade', 'apply', 'v1.33.2', '--yes'], { env: { KUMI_STANDIN_UPGRADE_TIMEOUT_MS: '6000' } });
    } finally {
      process.kill(-kubelet, 'SIGCONT');
    }
    expect(res.exitCode, String(res.stdout)).toBe(1);
    expect(String(res.stderr)).toContain("couldn't upgrade control plane. kubeadm has tried to recover everything into the earlier state. Errors faced: static Pod hash for component kube-apiserver on Node master1 did not change");
    expect(fs.readFileSync(manifest(), 'utf8')).toBe(before);
    expect(pidOf('kube-apiserver')).toBe(pid);
    expect(await serverVersion()).toBe('v1.33.1');
  }, 90_000);

  it('kubeadm upgrade apply with the kubelet: new manifest, old one backed up, the kubelet restarted the pod at the new version', async () => {
    const before = fs.readFileSync(manifest(), 'utf8');
    const pid = pidOf('kube-apiserver');
    const hash = await mirrorHash();
    const res = await lab.run(m1, 'kubeadm', ['upgrade', 'apply', 'v1.33.2', '--yes'], { timeoutMs: 180_000 });
    expect(res.exitCode, `${String(res.stdout)}\n${String(res.stderr)}`).toBe(0);
    expect(String(res.stdout)).toContain('[upgrade/staticpods] Component "kube-apiserver" upgraded successfully!');
    expect(fs.readFileSync(manifest(), 'utf8')).toContain('image: registry.k8s.io/kube-apiserver:v1.33.2');
    // The failed upgrade above left its (emptied) backup folder, as kubeadm's rollback does.
    const backups = fs.readdirSync(path.join(m1.root, 'etc/kubernetes/tmp')).filter((d) => d.startsWith('kubeadm-backup-manifests-')).map((d) => path.join(m1.root, 'etc/kubernetes/tmp', d, 'kube-apiserver.yaml'));
    expect(backups.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'))).toEqual([before]);
    expect(pidOf('kube-apiserver')).not.toBe(pid);
    expect(await mirrorHash()).not.toBe(hash);
    expect(await serverVersion()).toBe('v1.33.2');
  }, 200_000);
});
