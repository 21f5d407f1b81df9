import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeadmContext } from '../src/kubeadm/cli-context';
import type { ClusterConfig } from '../src/kubeadm/config';
import { shortHumanDuration, tabwrite } from '../src/kubeadm/certs-expiration';
import { kubeadmMain } from '../src/kubeadm/main';
import { createKubeconfigs, createNodeCerts, createSharedCerts } from '../src/kubeadm/pki-phase';

const DAY = 86_400_000;
const issued = new Date('2026-01-10T08:00:00Z');
const cluster: ClusterConfig = {
  kubernetesVersion: 'v1.34.2',
  controlPlaneEndpoint: '192.0.2.100:6443',
  clusterName: 'kubernetes',
  podSubnet: '10.244.0.0/16',
  serviceSubnet: '10.96.0.0/12',
  dnsDomain: 'cluster.local',
  certSANs: [],
  encryptionAlgorithm: 'ECDSA-P256',
  certificatesDir: '/etc/kubernetes/pki',
  etcdDataDir: '/var/lib/etcd',
  featureGates: {},
};

let root = '';
const pki = () => path.join(root, 'etc/kubernetes/pki');

/** Runs the stand-in at a given lab time; the cluster cannot be reached (kubeadm falls back to its defaults). */
async function kubeadm(now: Date, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: KubeadmContext = {
    host: { root, hostname: 'master1' },
    now: () => now,
    out: (text) => (out += text),
    err: (text) => (err += text),
    connect: () => {
      throw new Error('connection refused');
    },
  };
  const code = await kubeadmMain(argv, ctx);
  return { code, out, err };
}

interface Row {
  name: string;
  expirationDate: string | null;
  residualTime: number;
  caName?: string;
  missing: boolean;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeadm-certs-'));
  const node = { name: 'master1', address: '192.0.2.11' };
  await createSharedCerts(pki(), cluster, issued, () => undefined);
  await createNodeCerts(pki(), cluster, node, issued, () => undefined);
  await createKubeconfigs({ root, hostname: 'master1' }, pki(), cluster, node, 'https://192.0.2.100:6443', 'https://192.0.2.100:6443', true, issued, () => undefined);
}, 60_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('kubeadm certs (stand-in, k/k cmd/kubeadm/app/cmd/certs.go)', () => {
  it('check-expiration -o json: CertificateExpirationInfo v1alpha3, every certificate of the renewal manager, sorted, residual in seconds', async () => {
    const now = new Date(issued.getTime() + 10 * DAY);
    const result = await kubeadm(now, 'certs', 'check-expiration', '-o', 'json');
    expect(result.code).toBe(0);
    const info = JSON.parse(result.out) as { kind: string; apiVersion: string; certificates: Row[]; certificateAuthorities: Row[] };
    expect([info.kind, info.apiVersion]).toEqual(['CertificateExpirationInfo', 'output.kubeadm.k8s.io/v1alpha3']);
    expect(info.certificates.map((row) => `${row.name}/${row.caName}`)).toEqual([
      'admin.conf/ca',
      'apiserver/ca',
      'apiserver-etcd-client/etcd-ca',
      'apiserver-kubelet-client/ca',
      'controller-manager.conf/ca',
      'etcd-healthcheck-client/etcd-ca',
      'etcd-peer/etcd-ca',
      'etcd-server/etcd-ca',
      'front-proxy-client/front-proxy-ca',
      'scheduler.conf/ca',
      'super-admin.conf/ca',
    ]);
    const apiserver = info.certificates.find((row) => row.name === 'apiserver');
    expect(apiserver?.expirationDate).toBe(new Date(issued.getTime() + 365 * DAY).toISOString().replace('.000Z', 'Z'));
    expect(apiserver?.residualTime).toBe(355 * 86_400);
    expect(info.certificateAuthorities.map((row) => row.name)).toEqual(['ca', 'etcd-ca', 'front-proxy-ca']);
    // The structured printer drops kubeadm's informational lines: stdout is one JSON document.
    expect(result.out.trimStart().startsWith('{')).toBe(true);
  });

  it('check-expiration prints the two tables as Go\'s tabwriter aligns them, with !MISSING! for a certificate that is not there', async () => {
    const superAdmin = path.join(root, 'etc/kubernetes/super-admin.conf');
    const kept = fs.readFileSync(superAdmin);
    fs.rmSync(superAdmin);
    try {
      const result = await kubeadm(new Date(issued.getTime() + 10 * DAY), 'certs', 'check-expiration');
      const lines = result.out.split('\n');
      expect(lines[0]).toBe('[check-expiration] Error reading configuration from the Cluster. Falling back to default configuration');
      // "!MISSING! super-admin.conf" is the widest first cell: the column is 26 + 3 wide.
      expect(lines[2]).toBe(`${'CERTIFICATE'.padEnd(29)}EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED`);
      expect(lines[3]).toBe(`${'admin.conf'.padEnd(29)}Jan 10, 2027 08:00 UTC   355d            ca                      no      `);
      expect(lines).toContain(`${'!MISSING! super-admin.conf'.padEnd(29)}${' '.repeat(25 + 16 + 24)}`);
      expect(lines).toContain('CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED');
      expect(lines).toContain('ca                      Jan 08, 2036 08:00 UTC   9y              no      ');
    } finally {
      fs.writeFileSync(superAdmin, kept, { mode: 0o600 });
    }
  });

  it('renew all re-signs every leaf under the same CA with the same names and a later NotAfter, and says to restart the control plane', async () => {
    const before = new crypto.X509Certificate(fs.readFileSync(path.join(pki(), 'apiserver.crt')));
    const caKeyBefore = fs.readFileSync(path.join(pki(), 'ca.key'), 'utf8');
    const later = new Date(issued.getTime() + 300 * DAY);
    const result = await kubeadm(later, 'certs', 'renew', 'all');
    expect(result.code).toBe(0);
    expect(result.out).toContain('certificate for serving the Kubernetes API renewed\n');
    expect(result.out).toContain('certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself renewed\n');
    expect(result.out.endsWith('\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n')).toBe(true);
    const after = new crypto.X509Certificate(fs.readFileSync(path.join(pki(), 'apiserver.crt')));
    expect(new Date(after.validTo).getTime()).toBeGreaterThan(new Date(before.validTo).getTime() + 299 * DAY);
    expect(after.subjectAltName).toBe(before.subjectAltName);
    expect(after.subject).toBe(before.subject);
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.checkIssued(new crypto.X509Certificate(fs.readFileSync(path.join(pki(), 'ca.crt'))))).toBe(true);
    expect(fs.readFileSync(path.join(pki(), 'ca.key'), 'utf8')).toBe(caKeyBefore);
    const json = JSON.parse((await kubeadm(later, 'certs', 'check-expiration', '-o', 'json')).out) as { certificates: Row[]; certificateAuthorities: Row[] };
    expect(json.certificates.every((row) => row.residualTime >= 364 * 86_400)).toBe(true);
  });

  it('renew NAME renews only that certificate; an unknown name and an unknown output format fail like kubeadm', async () => {
    const peer = path.join(pki(), 'etcd/peer.crt');
    const server = path.join(pki(), 'etcd/server.crt');
    const [peerBefore, serverBefore] = [fs.readFileSync(peer, 'utf8'), fs.readFileSync(server, 'utf8')];
    const result = await kubeadm(new Date(issued.getTime() + 320 * DAY), 'certs', 'renew', 'etcd-peer');
    expect(result.out).toContain('certificate for etcd nodes to communicate with each other renewed\n');
    expect(fs.readFileSync(peer, 'utf8')).not.toBe(peerBefore);
    expect(fs.readFileSync(server, 'utf8')).toBe(serverBefore);
    expect((await kubeadm(issued, 'certs', 'renew', 'nothing')).code).toBe(1);
    const yaml = await kubeadm(issued, 'certs', 'check-expiration', '-o', 'wide');
    expect(yaml.code).toBe(1);
    expect(yaml.err).toContain('could not construct output printer');
  });

  it('ShortHumanDuration and tabwriter edge cases', () => {
    expect([-5, -1, 59, 60, 3599, 3600, 86_399, 86_400, 365 * 86_400].map(shortHumanDuration)).toEqual(['<invalid>', '0s', '59s', '1m', '59m', '1h', '23h', '1d', '1y']);
    expect(tabwrite(['a\tbb\tlast', 'ccc\td\tx'])).toBe('a         bb        last\nccc       d         x\n');
  });
});
