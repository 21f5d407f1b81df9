import fs from 'node:fs';
import path from 'node:path';
import { ApiClient, statusMessage } from '../common/api-client';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { renderKubeconfig } from '../common/kubeconfig';
import { createCsr, generateKey } from '../common/pki';
import { pollUntil } from '../common/wait';
import type { DiscoveredCluster } from './discovery';

/**
 * The kubelet's TLS bootstrap, done by the stand-in on the kubelet's behalf: a CSR for
 * "system:node:<name>" sent with the bootstrap token, the signed certificate written with
 * its key into /var/lib/kubelet/pki and /etc/kubernetes/kubelet.conf.
 */
export async function tlsBootstrap(host: HostEnv, cluster: DiscoveredCluster, token: string, nodeName: string): Promise<void> {
  const client = new ApiClient({ server: cluster.server, caPem: cluster.caPem, token });
  const key = await generateKey('ECDSA-P256');
  const csrPem = await createCsr(key, `system:node:${nodeName}`, ['system:nodes']);
  const res = await client
    .request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { generateName: 'csr-' },
      spec: { request: Buffer.from(csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
    })
    .catch((err: unknown) => {
      throw new Error(`error uploading crs: ${(err as Error).message}`);
    });
  if (res.status !== 201) throw new Error(`error uploading crs: ${statusMessage(res)}`);
  const name = (res.body as { metadata?: { name?: string } }).metadata?.name ?? '';
  let certificate = (res.body as { status?: { certificate?: string } }).status?.certificate;
  if (!certificate) {
    certificate = await pollUntil(async () => {
      const got = await client.request('GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`);
      return (got.body as { status?: { certificate?: string } }).status?.certificate;
    }, 30_000, 500);
  }
  if (!certificate) throw new Error('timed out waiting for the CSR to be signed');
  const certPem = Buffer.from(certificate, 'base64').toString('utf8');
  const pem = hostPath(host, `${KubePaths.kubeletDir}/pki/kubelet-client-current.pem`);
  fs.mkdirSync(path.dirname(pem), { recursive: true });
  fs.writeFileSync(pem, `${certPem}${key.privateKeyPem}`, { mode: 0o600 });
  const conf = hostPath(host, KubePaths.kubeletConf);
  fs.mkdirSync(path.dirname(conf), { recursive: true });
  fs.writeFileSync(conf, renderKubeconfig({ clusterName: 'default-cluster', server: cluster.server, caPem: cluster.caPem, userName: 'default-auth', clientCertPem: certPem, clientKeyPem: key.privateKeyPem }), { mode: 0o600 });
  const ca = hostPath(host, '/etc/kubernetes/pki/ca.crt');
  fs.mkdirSync(path.dirname(ca), { recursive: true });
  fs.writeFileSync(ca, cluster.caPem);
}
