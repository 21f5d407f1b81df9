import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:https';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { controlPlanePods, etcdHealth, nodesReady, parseNodes, parsePods } from './cluster-state';
import { verifyParams } from './params';
import { verify } from './verify';

const node = (name: string, ready: boolean, cp: boolean, ip: string) => ({
  metadata: { name, labels: cp ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], addresses: [{ type: 'InternalIP', address: ip }] },
});
const pod = (name: string, nodeName: string, component: string, running = true) => ({
  metadata: { name, labels: component === 'kube-dns' ? { 'k8s-app': component } : { component } },
  spec: { nodeName },
  status: { phase: running ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: running ? 'True' : 'False' }] },
});
const masters = ['master1', 'master2', 'master3'];
const nodesJson = (downMaster1 = false) =>
  JSON.stringify({ items: [...masters.map((name, i) => node(name, !(downMaster1 && i === 0), true, `192.0.2.1${i + 1}`)), node('worker1', true, false, '192.0.2.31')] });
const podsJson = (downMaster1 = false) =>
  JSON.stringify({
    items: [
      ...masters.flatMap((m, i) => ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'].map((c) => pod(`${c}-${m}`, m, c, !(downMaster1 && i === 0)))),
      pod('coredns-1', 'worker1', 'kube-dns'),
    ],
  });

describe('verify checks (pure)', () => {
  it('nodes-ready and control-plane-pods pass on a healthy cluster and name what is wrong otherwise', () => {
    expect(nodesReady(parseNodes(nodesJson()), [], [])).toMatchObject({ ok: true, evidence: 'master1 Ready; master2 Ready; master3 Ready; worker1 Ready' });
    expect(nodesReady(parseNodes(nodesJson(true)), [], [])).toMatchObject({ ok: false });
    expect(nodesReady(parseNodes(nodesJson(true)), [], ['master1'])).toMatchObject({ ok: true });
    expect(controlPlanePods(parseNodes(nodesJson()), parsePods(podsJson()), [])).toEqual({
      name: 'control-plane-pods',
      ok: true,
      evidence: 'kube-apiserver 3/3, kube-controller-manager 3/3, kube-scheduler 3/3, etcd 3/3, coredns 1 running',
    });
    expect(controlPlanePods(parseNodes(nodesJson(true)), parsePods(podsJson(true)), [])).toMatchObject({ ok: false });
    expect(controlPlanePods(parseNodes(nodesJson(true)), parsePods(podsJson(true)), ['master1'])).toMatchObject({ ok: true, evidence: expect.stringContaining('etcd 2/2') });
  });

  it('etcd-health needs a quorum and tolerates only the members of tolerated nodes', () => {
    const health = JSON.stringify([
      { endpoint: 'https://192.0.2.11:2379', health: false, error: 'context deadline exceeded' },
      { endpoint: 'https://192.0.2.12:2379', health: true },
      { endpoint: 'https://192.0.2.13:2379', health: true },
    ]);
    const nodes = parseNodes(nodesJson(true));
    expect(etcdHealth(health, nodes, [])).toMatchObject({ ok: false });
    expect(etcdHealth(health, nodes, ['master1'])).toMatchObject({ ok: true, evidence: expect.stringMatching(/^2\/3 members healthy/) });
    expect(etcdHealth('[]', nodes, [])).toMatchObject({ ok: false });
  });
});

describe('verify plan', () => {
  const params = verifyParams.parse({ endpoint: { host: '192.0.2.100' } });
  const kube = 'kubectl --kubeconfig /etc/kubernetes/admin.conf';
  const healthy = {
    [`${kube} get nodes -o json`]: nodesJson(),
    [`${kube} -n kube-system get pods -o json`]: podsJson(),
    [`${kube} -n default get pods -o json`]: JSON.stringify({ items: [pod('kumi-dnsutils', 'worker1', 'none')] }),
  };
  const files = { '/etc/kubernetes/admin.conf': 'x' };

  it('first run: starts the dnsutils pod and waits for it', async () => {
    const facts = await verify.check(fakeHost(debianFacts, files, { ...healthy, [`${kube} -n default get pods -o json`]: '{"items":[]}' }), params, {});
    expect(verify.plan(facts, params, {}).actions.map((a) => describeAction(a).split('  #')[0])).toEqual([
      'write /etc/kumi/verify/dnsutils.yaml',
      `run ${kube} apply -f /etc/kumi/verify/dnsutils.yaml`,
      'wait for pod kumi-dnsutils Ready (up to 300s)',
    ]);
  });

  it('second run on a healthy cluster is a noop with its reason', async () => {
    const facts = await verify.check(fakeHost(debianFacts, files, healthy), params, {});
    expect(verify.plan(facts, params, {}).noop).toBe('nodes, control-plane pods and the dnsutils pod already up; the checks run below');
  });

  it('waits for the not-Ready node and the control-plane pods that are not running, by name', async () => {
    const facts = await verify.check(fakeHost(debianFacts, files, { ...healthy, [`${kube} get nodes -o json`]: nodesJson(true), [`${kube} -n kube-system get pods -o json`]: podsJson(true) }), params, {});
    const plan = verify.plan(facts, params, {});
    expect(plan.actions.map((a) => (a.kind === 'wait' && a.until.kind === 'command' ? a.until.argv.slice(3).join(' ') : ''))).toEqual([
      'wait --for=condition=Ready node/master1 node/master2 node/master3 node/worker1 --timeout=4s',
      '-n kube-system wait --for=condition=Ready pod/kube-apiserver-master1 pod/kube-controller-manager-master1 pod/kube-scheduler-master1 pod/etcd-master1 --timeout=4s',
    ]);
  });
});

describe('api-via-vip against a real HTTPS server on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kumi-verify-'));
  let server: Server | undefined;
  let port = 0;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    server = createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
      res.writeHead(req.url === '/healthz' ? 200 : 404).end(req.url === '/healthz' ? 'ok' : 'no');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ok only when the CA matches and /healthz says ok', async () => {
    const params = verifyParams.parse({ endpoint: { host: '127.0.0.1', port }, checks: ['api-via-vip'] });
    const good = fakeHost(debianFacts, { '/etc/kubernetes/admin.conf': 'x', '/etc/kubernetes/pki/ca.crt': readFileSync(join(dir, 'c.pem'), 'utf8') });
    const facts = await verify.check(good, params, {});
    const outputs = await verify.outputs!(good, params, facts);
    expect(outputs.results).toEqual([{ name: 'api-via-vip', ok: true, evidence: expect.stringMatching(/^GET https:\/\/127.0.0.1:\d+\/healthz → 200 "ok" in \d+ ms$/) }]);
    execFileSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', join(dir, 'k2.pem'), '-out', join(dir, 'other.pem'), '-days', '1', '-subj', '/CN=other'], { stdio: 'pipe' });
    const wrongCa = fakeHost(debianFacts, { '/etc/kubernetes/admin.conf': 'x', '/etc/kubernetes/pki/ca.crt': readFileSync(join(dir, 'other.pem'), 'utf8') });
    await expect(verify.outputs!(wrongCa, params, facts)).rejects.toThrow(/1 of 1 checks failed:\n {2}\[api-via-vip\]/);
  });
});
