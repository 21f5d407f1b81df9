import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { startApiMonitor, summarise } from './api-monitor';
import type { DrillFacts } from './drill';
import { drill, securePort } from './drill';
import { drillParams } from './params';

const params = drillParams.parse({ endpoint: { host: '192.0.2.100' }, observeMs: 20_000 });
const facts: DrillFacts = {
  nodeName: 'master1',
  manifests: { 'etcd.yaml': 'etcd', 'kube-apiserver.yaml': 'api' },
  parked: {},
  etcdCheck: ['etcdctl', '--endpoints=https://192.0.2.12:2379,https://192.0.2.13:2379', 'endpoint', 'health'],
  dnsOnlyHere: false,
  apiAddress: '192.0.2.21',
  apiPort: 6443,
  criEndpoint: 'unix:///var/run/containerd/containerd.sock',
  monitor: undefined,
};
const lines = (f: DrillFacts, p = params): string[] => drill.plan(f, p, {}).actions.map((a) => describeAction(a).split('  #')[0] ?? '');
const kube = 'kubectl --kubeconfig /etc/kubernetes/admin.conf';

describe('drill plan', () => {
  it('stop mode: park static pods, wait for port closed + containers gone + API through the VIP, stop kubelet, check, bring the node back', () => {
    expect(lines(facts)).toEqual([
      'write /etc/kubernetes/kumi-drill-parked/etcd.yaml',
      'remove /etc/kubernetes/manifests/etcd.yaml',
      'write /etc/kubernetes/kumi-drill-parked/kube-apiserver.yaml',
      'remove /etc/kubernetes/manifests/kube-apiserver.yaml',
      'wait for API server of master1 stopped (192.0.2.21:6443 closed) (up to 180s)',
      'wait for containers etcd, kube-apiserver of master1 gone (up to 180s)',
      'wait for API ready through 192.0.2.100:6443 without master1 (up to 180s)',
      'run systemctl stop kubelet',
      'run sleep 20',
      `run ${kube} get nodes -o name`,
      `run ${kube} -n default exec kumi-dnsutils -- nslookup kubernetes.default`,
      'run etcdctl --endpoints=https://192.0.2.12:2379,https://192.0.2.13:2379 endpoint health',
      'write /etc/kubernetes/manifests/etcd.yaml',
      'remove /etc/kubernetes/kumi-drill-parked/etcd.yaml',
      'write /etc/kubernetes/manifests/kube-apiserver.yaml',
      'remove /etc/kubernetes/kumi-drill-parked/kube-apiserver.yaml',
      'run systemctl start kubelet',
      'wait for API server of master1 (up to 180s)',
      'wait for node master1 Ready (up to 180s)',
    ]);
  });

  it('never waits for the mirror pod to go: with ControlPlaneKubeletLocalMode (kubeadm >= 1.33) it stays', () => {
    const waits = drill.plan(facts, params, {}).actions.filter((a) => a.kind === 'wait').map((a) => (a.kind === 'wait' ? a.until : undefined));
    expect(waits.slice(0, 3)).toEqual([
      { kind: 'tcp-closed', host: '192.0.2.21', port: 6443 },
      { kind: 'command-silent', argv: ['crictl', '--runtime-endpoint', 'unix:///var/run/containerd/containerd.sock', 'ps', '--name', '^(etcd|kube-apiserver)$', '-q'] },
      { kind: 'command', argv: ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', '--raw=/readyz'] },
    ]);
    expect(JSON.stringify(drill.plan(facts, params, {}).actions)).not.toContain('--for=delete');
  });

  it('uses crictl\'s own configuration without a known CRI endpoint, and the manifest\'s --secure-port', () => {
    const other = { ...facts, criEndpoint: undefined, apiPort: 8443, manifests: { ...facts.manifests, 'kube-scheduler.yaml': 's' } };
    expect(lines(other).slice(6, 8)).toEqual([
      'wait for API server of master1 stopped (192.0.2.21:8443 closed) (up to 180s)',
      'wait for containers etcd, kube-apiserver, kube-scheduler of master1 gone (up to 180s)',
    ]);
    const crictl = drill.plan(other, params, {}).actions.flatMap((a) => (a.kind === 'wait' && a.until.kind === 'command-silent' ? [a.until.argv] : []));
    expect(crictl).toEqual([['crictl', 'ps', '--name', '^(etcd|kube-apiserver|kube-scheduler)$', '-q']]);
    expect(lines(other).at(-2)).toBe('wait for API server of master1 (up to 180s)');
    expect(securePort('    - --secure-port=8443\n')).toBe(8443);
    expect(securePort('    - --etcd-servers=https://127.0.0.1:2379\n')).toBe(6443);
  });

  it('after an interrupted drill it only brings the node back', () => {
    expect(lines({ ...facts, manifests: {}, parked: { 'etcd.yaml': 'etcd' } })).toEqual([
      'write /etc/kubernetes/manifests/etcd.yaml',
      'remove /etc/kubernetes/kumi-drill-parked/etcd.yaml',
      'run systemctl start kubelet',
      'wait for API server of master1 (up to 180s)',
      'wait for node master1 Ready (up to 180s)',
    ]);
  });

  it('spreads CoreDNS first when every replica runs on the drilled node', () => {
    const spread = [
      `run ${kube} -n kube-system rollout restart deployment/coredns`,
      'wait for CoreDNS pods Ready after the restart (up to 180s)',
    ];
    expect(lines({ ...facts, dnsOnlyHere: true }).slice(0, 3)).toEqual([...spread, 'write /etc/kubernetes/kumi-drill-parked/etcd.yaml']);
    expect(lines({ ...facts, dnsOnlyHere: true, manifests: {}, parked: { 'etcd.yaml': 'etcd' } })[0]).toBe('write /etc/kubernetes/manifests/etcd.yaml');
    expect(lines({ ...facts, dnsOnlyHere: true }, drillParams.parse({ ...params, mode: 'poweroff' }))).toEqual([
      ...spread,
      'run systemd-run --on-active=5s --unit=kumi-drill-poweroff systemctl poweroff',
    ]);
  });

  it('poweroff mode schedules the power-off after the step reports', () => {
    expect(lines(facts, drillParams.parse({ ...params, mode: 'poweroff' }))).toEqual(['run systemd-run --on-active=5s --unit=kumi-drill-poweroff systemctl poweroff']);
  });
});

describe('API outage measurement', () => {
  it('summarise: longest stretch from the last ok to the next ok', () => {
    const samples = [0, 250, 500, 750, 1000, 1250, 1500].map((at, i) => ({ at, ok: ![2, 3, 4].includes(i) }));
    expect(summarise(samples, 1600)).toEqual({ samples: 7, failedSamples: 3, longestOutageMs: 1000, watchedMs: 1600 });
    expect(summarise([{ at: 0, ok: true }, { at: 250, ok: true }], 300).longestOutageMs).toBe(0);
  });

  const dir = mkdtempSync(join(tmpdir(), 'kumi-drill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('watches a real HTTPS /healthz on loopback that fails for a while', async () => {
    execFileSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=api', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    let healthy = true;
    const server = createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) => {
      res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'etcd down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const monitor = startApiMonitor('127.0.0.1', port, readFileSync(join(dir, 'c.pem'), 'utf8'), 50, 10_000);
      await sleep(300);
      healthy = false;
      await sleep(600);
      healthy = true;
      await sleep(300);
      const watch = await monitor.stop();
      expect(watch.failedSamples).toBeGreaterThan(3);
      expect(watch.longestOutageMs).toBeGreaterThanOrEqual(500);
      expect(watch.longestOutageMs).toBeLessThan(1_500);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
